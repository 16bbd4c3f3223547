package dev.tandem.store;

import dev.tandem.protocol.ProtocolException;
import dev.tandem.resilience.CircuitBreaker;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A {@link Store} behind a {@link CircuitBreaker}: while the database is failing or crawling, calls fail at once
 * with {@code unavailable} (and a retry-after hint) instead of queueing on the writer and reader threads. Only
 * dependency failures count against the breaker; a refusal (a full write queue, {@code not_found} on an edit)
 * does not. An append refused here never reaches the database, so it is never acknowledged: nothing reports
 * success while the store is unavailable.
 */
public final class GuardedStore implements Store {
    private final Store store;
    private final CircuitBreaker breaker;

    public GuardedStore(Store store, CircuitBreaker breaker) {
        this.store = store;
        this.breaker = breaker;
    }

    /** The breaker, for readiness and tests. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    @Override
    public String epoch() {
        return store.epoch();
    }

    @Override
    public CompletableFuture<Appended> append(Append append, Consumer<Appended> onCommit) {
        return guarded(() -> store.append(append, onCommit));
    }

    @Override
    public <R> CompletableFuture<Committed<R>> write(TransactionalWrite<R> write, Consumer<Committed<R>> onCommit) {
        return guarded(() -> store.write(write, onCommit));
    }

    @Override
    public <T> CompletableFuture<T> read(SqlWork<T> work) {
        return guarded(() -> store.read(work));
    }

    @Override
    public CompletableFuture<EventPage> after(String channel, long after, int limit) {
        return guarded(() -> store.after(channel, after, limit));
    }

    @Override
    public CompletableFuture<EventPage> before(String channel, long before, int limit) {
        return guarded(() -> store.before(channel, before, limit));
    }

    @Override
    public CompletableFuture<ReceiptCursor> saveReceipt(ReceiptCursor cursor) {
        return guarded(() -> store.saveReceipt(cursor));
    }

    @Override
    public CompletableFuture<List<ReceiptCursor>> receipts(String channel) {
        return guarded(() -> store.receipts(channel));
    }

    @Override
    public CompletableFuture<Map<String, Long>> unread(String userId) {
        return guarded(() -> store.unread(userId));
    }

    @Override
    public CompletableFuture<Long> expire(long now, RetentionRules rules, ArchiveSink archive) {
        return guarded(() -> store.expire(now, rules, archive));
    }

    @Override
    public CompletableFuture<Void> ping() {
        return guarded(store::ping);
    }

    @Override
    public void close() {
        store.close();
    }

    private <T> CompletableFuture<T> guarded(Supplier<CompletableFuture<T>> call) {
        return breaker.call(call, GuardedStore::isFailure);
    }

    private static boolean isFailure(Throwable error) {
        return !(error instanceof ProtocolException refusal) || refusal.isDependencyFailure();
    }
}
