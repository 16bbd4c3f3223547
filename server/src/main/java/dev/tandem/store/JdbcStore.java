package dev.tandem.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.config.StoreConfig;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.store.h2.H2Dialect;
import dev.tandem.store.h2.H2Housekeeping;
import dev.tandem.store.postgres.PostgresDialect;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one JDBC implementation of {@link Store} for both databases; a {@link SqlDialect} supplies the few
 * statements that differ. Writes go through the {@link GroupCommitWriter}; reads run on a fixed pool of
 * {@code store.poolSize} threads with a bounded queue. Schema changes are Flyway migrations under
 * {@code db/h2} and {@code db/postgres}.
 *
 * <p>H2 runs with {@code WRITE_DELAY=0}: every commit reaches the file before the writer completes its
 * futures, so an acknowledged message survives the process being killed (see {@link #H2_SETTINGS}). That
 * also stops H2's own background compaction, so {@link #housekeep()} does it in small steps instead.
 */
public final class JdbcStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcStore.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    /**
     * WRITE_DELAY=0: each commit is written to the file before the writer completes its futures (crash safety).
     * ANALYZE_AUTO=0: H2 otherwise re-samples a table's statistics inside the commit that crosses 2,000, 6,000,
     * 14,000, ... changed rows since start, stalling the one writer thread (4 ms warm, 35 ms cold) while every
     * queued ack waits; the store's statements are all key or prefix lookups that need no statistics.
     * CACHE_SIZE (KiB) is appended from {@code store.h2.cacheSize}.
     */
    static final String H2_SETTINGS = ";WRITE_DELAY=0;ANALYZE_AUTO=0;DB_CLOSE_ON_EXIT=FALSE";
    private static final String EVENT_COLUMNS = "channel, seq, type, message_id, payload, user_id, client_msg_id, created_at";

    private final HikariDataSource dataSource;
    private final SqlDialect dialect;
    private final GroupCommitWriter writer;
    private final ThreadPoolExecutor readers;
    private final String epoch;
    private final StoreMetrics metrics;
    private final int compactStep;
    private final AtomicBoolean housekeeping = new AtomicBoolean();
    private final AtomicBoolean housekeepingFails = new AtomicBoolean();

    private JdbcStore(HikariDataSource dataSource, SqlDialect dialect, StoreConfig config, StoreMetrics metrics) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.metrics = metrics;
        this.compactStep = config.h2().compactStep();
        this.epoch = loadEpoch();
        this.writer = new GroupCommitWriter(dataSource, dialect, config.writeQueue(), config.maxBatch(),
                config.commitDelay(), metrics);
        AtomicInteger threads = new AtomicInteger();
        this.readers = new ThreadPoolExecutor(config.poolSize(), config.poolSize(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(config.writeQueue()), r -> {
                    Thread t = new Thread(r, "tandem-store-reader-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /** Opens PostgreSQL when {@code store.postgres.url} is set, else the H2 file {@code dataDir/tandem}; migrates. */
    public static JdbcStore open(StoreConfig config, Path dataDir) {
        return open(config, dataDir, StoreMetrics.unscraped());
    }

    /** As {@link #open(StoreConfig, Path)}, recording batch sizes and commit latency in {@code metrics}. */
    public static JdbcStore open(StoreConfig config, Path dataDir, StoreMetrics metrics) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName("tandem-store");
        hikari.setMaximumPoolSize(config.poolSize() + 2); // readers + the group-commit writer + the document store
        hikari.setConnectionTimeout(config.connectionTimeout().toMillis());
        SqlDialect dialect;
        StoreConfig.PostgresConfig pg = config.postgres();
        if (pg.enabled()) {
            dialect = new PostgresDialect();
            hikari.setJdbcUrl(pg.url());
            hikari.setUsername(pg.user());
            hikari.setPassword(pg.password());
            hikari.setSchema(pg.schema());
            hikari.addDataSourceProperty("reWriteBatchedInserts", "true");
        } else {
            dialect = new H2Dialect();
            hikari.setJdbcUrl("jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("tandem") + H2_SETTINGS
                    + ";CACHE_SIZE=" + config.h2().cacheSize() / 1024);
            hikari.setUsername("sa");
        }
        HikariDataSource dataSource = new HikariDataSource(hikari);
        try {
            Flyway.configure().dataSource(dataSource).locations("classpath:db/" + dialect.name())
                    .schemas(pg.enabled() ? new String[] {pg.schema()} : new String[0])
                    .createSchemas(true).load().migrate();
            try (Connection connection = dataSource.getConnection()) {
                dialect.maintainPartitions(connection, System.currentTimeMillis(), Long.MIN_VALUE);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot prepare the store's partitions: " + e.getMessage(), e);
            }
            JdbcStore store = new JdbcStore(dataSource, dialect, config, metrics);
            LOG.info("store: {} ({})", dialect.name(), pg.enabled() ? pg.url() + " schema " + pg.schema() : hikari.getJdbcUrl());
            return store;
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    /** The connection pool, for components keeping their own tables in this database (documents). */
    public javax.sql.DataSource dataSource() {
        return dataSource;
    }

    @Override
    public String epoch() {
        return epoch;
    }

    /** Write transactions committed so far: far fewer than appends under load, thanks to group commit. */
    public long transactions() {
        return writer.transactions();
    }

    @Override
    public CompletableFuture<Appended> append(Append append, Consumer<Appended> onCommit) {
        return writer.submit(append, onCommit);
    }

    @Override
    public <R> CompletableFuture<Committed<R>> write(TransactionalWrite<R> write, Consumer<Committed<R>> onCommit) {
        return writer.submit(write, onCommit);
    }

    @Override
    public CompletableFuture<EventPage> after(String channel, long after, int limit) {
        return read(connection -> {
            long latest = latest(connection, channel);
            List<StoredEvent> events = events(connection, "SELECT " + EVENT_COLUMNS
                    + " FROM events WHERE channel = ? AND seq > ? ORDER BY seq LIMIT ?", channel, after, limit + 1);
            return page(events, latest, limit, false);
        });
    }

    @Override
    public CompletableFuture<EventPage> before(String channel, long before, int limit) {
        return read(connection -> {
            long latest = latest(connection, channel);
            List<StoredEvent> events = events(connection, "SELECT " + EVENT_COLUMNS
                    + " FROM events WHERE channel = ? AND seq < ? ORDER BY seq DESC LIMIT ?", channel,
                    before < 0 ? Long.MAX_VALUE : before, limit + 1);
            return page(events, latest, limit, true);
        });
    }

    @Override
    public CompletableFuture<ReceiptCursor> saveReceipt(ReceiptCursor cursor) {
        return read(connection -> {
            try (PreparedStatement merge = connection.prepareStatement(
                    "MERGE INTO receipts r USING (VALUES (CAST(? AS VARCHAR(255)), CAST(? AS VARCHAR(255)), "
                            + "CAST(? AS VARCHAR(255)), CAST(? AS BIGINT), CAST(? AS BIGINT), CAST(? AS BIGINT))) "
                            + "AS s (channel, user_id, user_name, delivered, read_to, at) "
                            + "ON r.channel = s.channel AND r.user_id = s.user_id "
                            + "WHEN MATCHED THEN UPDATE SET delivered_up_to = GREATEST(r.delivered_up_to, s.delivered), "
                            + "read_up_to = GREATEST(r.read_up_to, s.read_to), updated_at = s.at, "
                            + "user_name = COALESCE(s.user_name, r.user_name) "
                            + "WHEN NOT MATCHED THEN INSERT (channel, user_id, user_name, delivered_up_to, read_up_to, "
                            + "updated_at) VALUES (s.channel, s.user_id, s.user_name, s.delivered, s.read_to, s.at)")) {
                merge.setString(1, cursor.channel());
                merge.setString(2, cursor.userId());
                merge.setString(3, cursor.userName());
                merge.setLong(4, Math.max(cursor.deliveredUpTo(), cursor.readUpTo()));
                merge.setLong(5, cursor.readUpTo());
                merge.setLong(6, System.currentTimeMillis());
                merge.executeUpdate();
            }
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT user_name, delivered_up_to, read_up_to FROM receipts WHERE channel = ? AND user_id = ?")) {
                select.setString(1, cursor.channel());
                select.setString(2, cursor.userId());
                try (ResultSet rs = select.executeQuery()) {
                    rs.next();
                    return new ReceiptCursor(cursor.channel(), cursor.userId(), rs.getString(1), rs.getLong(2),
                            rs.getLong(3));
                }
            }
        });
    }

    @Override
    public CompletableFuture<List<ReceiptCursor>> receipts(String channel) {
        return read(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT user_id, user_name, delivered_up_to, read_up_to FROM receipts WHERE channel = ? "
                            + "ORDER BY user_id")) {
                select.setString(1, channel);
                List<ReceiptCursor> cursors = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        cursors.add(new ReceiptCursor(channel, rs.getString(1), rs.getString(2), rs.getLong(3),
                                rs.getLong(4)));
                    }
                }
                return cursors;
            }
        });
    }

    @Override
    public CompletableFuture<Map<String, Long>> unread(String userId) {
        return read(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT r.channel, COUNT(e.seq) FROM receipts r LEFT JOIN events e ON e.channel = r.channel "
                            + "AND e.seq > r.read_up_to AND e.type = 'message.new' AND e.deleted_at IS NULL "
                            + "AND (e.user_id IS NULL OR e.user_id <> r.user_id) "
                            + "WHERE r.user_id = ? GROUP BY r.channel ORDER BY r.channel")) {
                select.setString(1, userId);
                Map<String, Long> unread = new LinkedHashMap<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        unread.put(rs.getString(1), rs.getLong(2));
                    }
                }
                return unread;
            }
        });
    }

    private static final int ARCHIVE_BATCH = 5000;

    @Override
    public CompletableFuture<Long> expire(long now, RetentionRules rules, ArchiveSink archive) {
        return read(connection -> {
            long archived = 0;
            for (String channel : channelsWithEventsBefore(connection, now - rules.shortestMillis())) {
                archived += expireChannel(connection, channel, now - rules.retentionMillis().applyAsLong(channel), archive);
            }
            try (PreparedStatement forget = connection.prepareStatement("DELETE FROM client_msg_ids WHERE created_at < ?")) {
                forget.setLong(1, now - rules.idempotencyWindowMillis());
                forget.executeUpdate();
            }
            dialect.maintainPartitions(connection, now, now - rules.longestMillis());
            return archived;
        });
    }

    /**
     * The channels whose oldest event (by seq) was created before {@code cutoff}: one primary-key probe per
     * channel, so the events table needs no index on {@code created_at} that every insert would maintain.
     */
    private static List<String> channelsWithEventsBefore(Connection connection, long cutoff) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT c.channel FROM channel_seq c WHERE "
                + "(SELECT e.created_at FROM events e WHERE e.channel = c.channel ORDER BY e.seq LIMIT 1) < ?")) {
            select.setLong(1, cutoff);
            List<String> channels = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    channels.add(rs.getString(1));
                }
            }
            return channels;
        }
    }

    /**
     * Archives, then deletes, a channel's expired events in seq order, a batch at a time. Expiry stops at the
     * channel's first event that has not expired, so the archive holds each channel's history without holes even
     * when cluster nodes' clocks disagree a little about {@code created_at}.
     */
    private static long expireChannel(Connection connection, String channel, long cutoff, ArchiveSink archive)
            throws SQLException {
        long archived = 0;
        while (true) {
            List<StoredEvent> oldest;
            try (PreparedStatement select = connection.prepareStatement("SELECT " + EVENT_COLUMNS
                    + " FROM events WHERE channel = ? ORDER BY seq LIMIT " + ARCHIVE_BATCH)) {
                select.setString(1, channel);
                oldest = events(select);
            }
            List<StoredEvent> expired = expiredPrefix(oldest, cutoff);
            if (expired.isEmpty()) {
                return archived;
            }
            try {
                archive.write(channel, expired);
            } catch (java.io.IOException e) {
                throw new SQLException("archive write failed for " + channel + ": " + e.getMessage(), e);
            }
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM events WHERE channel = ? AND seq <= ?")) {
                delete.setString(1, channel);
                delete.setLong(2, expired.get(expired.size() - 1).seq());
                delete.executeUpdate();
            }
            archived += expired.size();
            if (expired.size() < oldest.size() || oldest.size() < ARCHIVE_BATCH) {
                return archived;
            }
        }
    }

    private static List<StoredEvent> expiredPrefix(List<StoredEvent> oldestFirst, long cutoff) {
        int end = 0;
        while (end < oldestFirst.size() && oldestFirst.get(end).createdAt() < cutoff) {
            end++;
        }
        return oldestFirst.subList(0, end);
    }

    private static EventPage page(List<StoredEvent> events, long latest, int limit, boolean newestFirst) {
        boolean more = events.size() > limit;
        List<StoredEvent> page = more ? new ArrayList<>(events.subList(0, limit)) : events;
        if (newestFirst) {
            Collections.reverse(page);
        }
        return new EventPage(page, latest, more);
    }

    private static long latest(Connection connection, String channel) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT seq FROM channel_seq WHERE channel = ?")) {
            select.setString(1, channel);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static List<StoredEvent> events(Connection connection, String sql, String channel, long bound, int limit)
            throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setString(1, channel);
            select.setLong(2, bound);
            select.setInt(3, limit);
            return events(select);
        }
    }

    private static List<StoredEvent> events(PreparedStatement select) throws SQLException {
        List<StoredEvent> events = new ArrayList<>();
        try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                events.add(new StoredEvent(rs.getString(1), rs.getLong(2), rs.getString(3), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getLong(8)));
            }
        }
        return events;
    }

    @Override
    public <T> CompletableFuture<T> read(SqlWork<T> work) {
        return onReader(work, e -> {
            LOG.error("store read failed", e);
            return ProtocolException.dependencyFailed("the store failed to read; retry", e);
        });
    }

    /**
     * Runs {@code work} on a reader thread with a pooled connection. A database failure completes the future with
     * what {@code failed} makes of it; a refusal from the work, or saturated readers, with a {@link ProtocolException}.
     */
    private <T> CompletableFuture<T> onReader(SqlWork<T> work, Function<Exception, Throwable> failed) {
        CompletableFuture<T> future = new CompletableFuture<>();
        try {
            readers.execute(() -> {
                try (Connection connection = dataSource.getConnection()) {
                    future.complete(work.run(connection));
                } catch (ProtocolException refusal) {
                    future.completeExceptionally(refusal);
                } catch (SQLException | RuntimeException e) {
                    future.completeExceptionally(failed.apply(e));
                }
            });
        } catch (RejectedExecutionException e) {
            future.completeExceptionally(new ProtocolException(ErrorCode.UNAVAILABLE, "the store is overloaded; retry",
                    GroupCommitWriter.OVERLOAD_RETRY_AFTER));
        }
        return future;
    }

    /**
     * One H2 compaction step ({@link H2Housekeeping}, {@code store.h2.compactStep}) on a reader thread; the
     * server runs it every {@code store.h2.compactInterval}. Completes empty on PostgreSQL (autovacuum does this
     * there), while the previous step is still running, when the readers are saturated, and when the step
     * fails. A step runs a few times a second, so a failing one (a full disk) is logged once, with its cause, and
     * again when a step succeeds; not as a stack trace per step as a failed read is.
     */
    public CompletableFuture<Optional<H2Housekeeping.Fill>> housekeep() {
        if (!(dialect instanceof H2Dialect) || !housekeeping.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(Optional.empty());
        }
        return onReader(connection -> H2Housekeeping.step(connection, compactStep), e -> e).handle((fill, error) -> {
            housekeeping.set(false);
            if (error == null) {
                metrics.recordFile(fill.fileBytes(), fill.chunksFillRate());
                if (housekeepingFails.compareAndSet(true, false)) {
                    LOG.info("H2 compaction works again");
                }
                return Optional.of(fill);
            }
            if (!(error instanceof ProtocolException) && housekeepingFails.compareAndSet(false, true)) {
                LOG.warn("H2 compaction failed, retrying every interval (logged again once it works): {}",
                        error.toString());
            }
            return Optional.empty();
        });
    }

    /** Checks that a connection can be had and answers: the breaker's background probe. */
    @Override
    public CompletableFuture<Void> ping() {
        return read(connection -> {
            if (!connection.isValid(5)) {
                throw new SQLException("connection is not valid");
            }
            return null;
        });
    }

    private String loadEpoch() {
        try (Connection connection = dataSource.getConnection()) {
            String existing = selectEpoch(connection);
            if (existing != null) {
                return existing;
            }
            try (PreparedStatement insert = connection.prepareStatement("INSERT INTO store_meta (id, epoch) VALUES (1, ?)")) {
                insert.setString(1, "d" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36));
                insert.executeUpdate();
            } catch (SQLException raced) {
                LOG.debug("another node created the store epoch first", raced);
            }
            return selectEpoch(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read the store epoch: " + e.getMessage(), e);
        }
    }

    private static String selectEpoch(Connection connection) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT epoch FROM store_meta WHERE id = 1");
             ResultSet rs = select.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** Finishes queued writes, then closes the pool (and with it an embedded database). */
    @Override
    public void close() {
        writer.close();
        readers.shutdown();
        try {
            readers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        dataSource.close();
    }
}
