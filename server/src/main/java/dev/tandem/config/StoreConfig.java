package dev.tandem.config;

/**
 * The durable store behind {@code history: durable} namespaces and chat: embedded H2 under the data dir by
 * default, PostgreSQL when {@code store.postgres.url} is set.
 *
 * @param postgres        PostgreSQL connection; an empty url selects embedded H2
 * @param h2              embedded H2's file compaction
 * @param poolSize        JDBC connections (and reader threads)
 * @param writeQueue      pending writes before new ones are refused with {@code unavailable}
 * @param maxBatch        writes committed together in one transaction at most (group commit)
 * @param commitDelay     while writes keep coming, how long the first of a batch may wait for more to join it
 *                        (0 = never wait); a write that arrives after a quiet spell is committed at once
 * @param retentionInterval how often expired events are archived and removed (and partitions maintained)
 * @param connectionTimeout longest wait for a database connection before a call fails
 * @param breaker          the circuit breaker around every store call
 */
public record StoreConfig(PostgresConfig postgres, H2Config h2, int poolSize, int writeQueue, int maxBatch,
                          java.time.Duration commitDelay, java.time.Duration retentionInterval,
                          java.time.Duration connectionTimeout, BreakerConfig breaker) {

    /**
     * A PostgreSQL database.
     *
     * @param url      JDBC url, e.g. {@code jdbc:postgresql://127.0.0.1:5432/test}; empty for embedded H2
     * @param user     user name
     * @param password password (empty for trust auth)
     * @param schema   schema holding Tandem's tables (created when missing)
     */
    public record PostgresConfig(String url, String user, String password, String schema) {
        public boolean enabled() {
            return url != null && !url.isBlank();
        }
    }

    /**
     * Embedded H2's file compaction, which {@code WRITE_DELAY=0} takes away from H2 (docs/store.md): a trade of
     * disk for ack latency, since every commit waits while a step holds the file's store lock; and its page cache,
     * small on purpose: every page in it is young garbage-collected data that each young collection copies, so a
     * large cache lengthens the pauses that set the ack p99 (history reads then come from the OS's file cache).
     *
     * @param compactInterval how often a step runs; 0 = never (the file then only grows)
     * @param compactStep     live bytes a step rewrites at most
     * @param cacheSize       bytes of H2's page cache (rounded down to KiB)
     */
    public record H2Config(java.time.Duration compactInterval, int compactStep, int cacheSize) {
    }
}
