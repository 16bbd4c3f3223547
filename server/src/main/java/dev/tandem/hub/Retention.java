package dev.tandem.hub;

import dev.tandem.config.NamespaceConfig;
import dev.tandem.config.TandemConfig;
import dev.tandem.store.ArchiveSink;
import dev.tandem.store.RetentionRules;
import dev.tandem.store.Store;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves durable events past their namespace's {@code retention} out of the live tables into the
 * {@link ArchiveSink}, every {@code store.retentionInterval}. One pass at a time; the work runs on the
 * store's threads. The clock is injectable so tests can age data without waiting.
 */
public final class Retention {
    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

    private final Hub hub;
    private final Store store;
    private final ArchiveSink archive;
    private final RetentionRules rules;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean();

    public Retention(Hub hub, Store store, ArchiveSink archive, TandemConfig config, Clock clock) {
        this.hub = hub;
        this.store = store;
        this.archive = archive;
        this.clock = clock;
        long shortest = config.namespaces().values().stream().mapToLong(ns -> ns.retention().toMillis()).min().orElseThrow();
        long longest = config.namespaces().values().stream().mapToLong(ns -> ns.retention().toMillis()).max().orElseThrow();
        this.rules = new RetentionRules(this::retentionMillis, shortest, longest,
                config.chat().idempotencyWindow().toMillis());
    }

    private long retentionMillis(String channel) {
        NamespaceConfig policy = hub.policy(channel);
        return policy.retention().toMillis();
    }

    /** Runs one pass unless one is already running; completes with the number of events archived. */
    public CompletableFuture<Long> runOnce() {
        if (!running.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(0L);
        }
        return store.expire(clock.millis(), rules, archive).whenComplete((archived, error) -> {
            running.set(false);
            if (error != null) {
                LOG.warn("retention pass failed: {}", error.getMessage());
            } else if (archived > 0) {
                LOG.info("retention: archived and removed {} events", archived);
            }
        });
    }
}
