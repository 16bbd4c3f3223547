package dev.tandem.store;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The durable store SPI: sequenced channel events (publications and chat messages), client message ids for
 * idempotent sends, and receipt cursors. Every method returns at once; the work runs on the store's own
 * bounded threads and the future completes there. A store that cannot take more work fails the future with
 * {@code unavailable} instead of queueing without bound.
 */
public interface Store extends AutoCloseable {

    /** The store's epoch: fixed for the life of the database, new when it is recreated. */
    String epoch();

    /**
     * Appends one event, allocating its seq in the same transaction. {@code onCommit} runs on the writer
     * thread right after the commit that holds the event, in commit order (so fanout stays in seq order);
     * then the future completes. Duplicates and refused mutations skip {@code onCommit}.
     */
    CompletableFuture<Appended> append(Append append, Consumer<Appended> onCommit);

    /**
     * Runs a write to the store's own tables (live records) in a group-commit transaction together with the
     * events it emits. {@code onCommit} runs on the writer thread right after the commit, in commit order,
     * then the future completes; a write that emits no events (a refusal) still completes with its result.
     */
    <R> CompletableFuture<Committed<R>> write(TransactionalWrite<R> write, Consumer<Committed<R>> onCommit);

    /**
     * Runs {@code work} on a reader thread with a connection of its own (auto-commit), for reads of the
     * store's own tables that the SPI has no method for (live records); fails with {@code unavailable} when
     * the readers are saturated or the read fails.
     */
    <T> CompletableFuture<T> read(SqlWork<T> work);

    /** Events with seq &gt; {@code after}, oldest first, at most {@code limit}, and the channel's latest seq. */
    CompletableFuture<EventPage> after(String channel, long after, int limit);

    /** Events with seq &lt; {@code before} (newest when {@code before} &lt; 0), oldest first, at most {@code limit}. */
    CompletableFuture<EventPage> before(String channel, long before, int limit);

    /** Stores a user's receipt cursors for a channel, never moving one backwards. */
    CompletableFuture<ReceiptCursor> saveReceipt(ReceiptCursor cursor);

    /** Every user's cursors on a channel. */
    CompletableFuture<java.util.List<ReceiptCursor>> receipts(String channel);

    /** Unread message counts of a user, per channel where the user has a read cursor. */
    CompletableFuture<java.util.Map<String, Long>> unread(String userId);

    /**
     * One retention pass at time {@code now}: events older than their channel's retention are written to
     * {@code archive} and then deleted, client message ids older than the idempotency window are forgotten,
     * and storage is maintained (PostgreSQL partitions). Completes with the number of events archived.
     */
    CompletableFuture<Long> expire(long now, RetentionRules rules, ArchiveSink archive);

    /** Completes when the store answers a trivial query; fails with {@code unavailable} when it cannot. */
    default CompletableFuture<Void> ping() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    void close();
}
