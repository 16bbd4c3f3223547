package dev.tandem.store;

import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's one writer thread: group commit for every channel of this node.
 *
 * <p>Design. Appends from any thread go into one bounded queue (full: the append fails with
 * {@code unavailable} at once). The writer takes whatever is queued, up to {@code maxBatch}, and writes it
 * in one transaction: claim client message ids (a repeat is a duplicate, answered with the original),
 * check and apply edits and deletes, reserve a seq range per channel from its counter row (channels in
 * name order, so two nodes sharing PostgreSQL never deadlock on counters), insert the events, commit. Only
 * then, still on this thread and in batch order, each append's {@code onCommit} runs (the hub fans out
 * there) and its future completes. One thread and one transaction at a time is what makes a channel's
 * commits, and so its fanout, come out in seq order; batching is what makes that fast.
 *
 * <p>Commit delay. A commit costs the same CPU (and on H2 the same garbage: every B-tree path it touched is
 * copied) for one write as for fifty, so when writes stream in faster than one per {@code commitDelay}, taking
 * just what is queued makes a commit per write or two and spends the machine on commits. Then the first write of
 * a batch waits, at most {@code commitDelay} after it was queued, for others to join. A write arriving after a
 * quiet spell (more than {@code commitDelay} since the last commit ended) is committed at once, so a lone
 * message pays nothing. The wait is counted from queueing, so a write that already waited in the queue behind
 * a commit does not wait again.
 *
 * <p>A {@link TransactionalWrite} (a live-record change) takes its place in the same batch: it runs inside the
 * transaction in batch order, so it sees the writes queued before it, and its events join the batch's seq
 * allocation, insert and fanout like appends, committed atomically with the rows it changed.
 */
final class GroupCommitWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupCommitWriter.class);
    private static final int MAX_ATTEMPTS = 3;
    /** A full write queue drains in well under a second at group-commit rates: retry soon. */
    static final Duration OVERLOAD_RETRY_AFTER = Duration.ofSeconds(1);

    private final DataSource dataSource;
    private final SqlDialect dialect;
    private final int maxBatch;
    private final long commitDelayNanos;
    private long lastCommitEnd;
    private final BlockingQueue<PendingWrite> queue;
    private final Thread thread;
    private final AtomicLong transactions = new AtomicLong();
    private final StoreMetrics metrics;
    private volatile boolean running = true;

    GroupCommitWriter(DataSource dataSource, SqlDialect dialect, int queueCapacity, int maxBatch,
                      Duration commitDelay, StoreMetrics metrics) {
        this.dataSource = dataSource;
        this.commitDelayNanos = commitDelay.toNanos();
        this.lastCommitEnd = System.nanoTime() - commitDelayNanos - 1;
        this.metrics = metrics;
        this.dialect = dialect;
        this.maxBatch = maxBatch;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.thread = new Thread(this::run, "tandem-store-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    CompletableFuture<Appended> submit(Append append, Consumer<Appended> onCommit) {
        CompletableFuture<Appended> future = new CompletableFuture<>();
        offer(new PendingWrite(append, null, onCommit, future, System.nanoTime()));
        return future;
    }

    <R> CompletableFuture<Committed<R>> submit(TransactionalWrite<R> write, Consumer<Committed<R>> onCommit) {
        CompletableFuture<Committed<R>> future = new CompletableFuture<>();
        offer(new PendingWrite(null, write, onCommit, future, System.nanoTime()));
        return future;
    }

    private void offer(PendingWrite write) {
        if (!running || !queue.offer(write)) {
            write.future().completeExceptionally(new ProtocolException(ErrorCode.UNAVAILABLE, "the store is overloaded; retry",
                    OVERLOAD_RETRY_AFTER));
        }
    }

    private void run() {
        List<PendingWrite> batch = new ArrayList<>(maxBatch);
        while (running || !queue.isEmpty()) {
            try {
                PendingWrite first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, maxBatch - 1);
                if (first.queuedAt() - lastCommitEnd <= commitDelayNanos) {
                    awaitMore(batch, first.queuedAt() + commitDelayNanos);
                }
                commit(batch);
                lastCommitEnd = System.nanoTime();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    /** Adds writes as they arrive until the batch is full or {@code deadline} (nanoTime) has passed. */
    private void awaitMore(List<PendingWrite> batch, long deadline) throws InterruptedException {
        long remaining;
        while (batch.size() < maxBatch && (remaining = deadline - System.nanoTime()) > 0) {
            PendingWrite next = queue.poll(remaining, TimeUnit.NANOSECONDS);
            if (next == null) {
                return;
            }
            batch.add(next);
            queue.drainTo(batch, maxBatch - batch.size());
        }
    }

    private void commit(List<PendingWrite> batch) {
        Outcome[] outcomes;
        try {
            outcomes = writeWithRetry(batch);
        } catch (SQLException | RuntimeException e) {
            LOG.error("store write of {} events failed", batch.size(), e);
            ProtocolException failure = ProtocolException.dependencyFailed("the store failed to write; retry", e);
            batch.forEach(w -> w.future().completeExceptionally(failure));
            return;
        }
        for (int i = 0; i < batch.size(); i++) {
            PendingWrite write = batch.get(i);
            Outcome outcome = outcomes[i];
            if (outcome.refusal != null) {
                write.future().completeExceptionally(outcome.refusal);
                continue;
            }
            Object result = write.transactional() != null
                    ? new Committed<>(outcome.result, outcome.events)
                    : new Appended(outcome.events.get(0), outcome.duplicate);
            if (!outcome.duplicate) {
                try {
                    write.onCommit().accept(result);
                } catch (RuntimeException e) {
                    LOG.error("fanout of {} events failed", outcome.events.size(), e);
                }
            }
            write.future().complete(result);
        }
    }

    private Outcome[] writeWithRetry(List<PendingWrite> batch) throws SQLException {
        long start = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    Outcome[] outcomes = write(connection, batch);
                    connection.commit();
                    transactions.incrementAndGet();
                    metrics.recordCommit(batch.size(), System.nanoTime() - start);
                    return outcomes;
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
            } catch (SQLException e) {
                boolean transientConflict = e.getSQLState() != null && e.getSQLState().startsWith("40");
                if (!transientConflict || attempt == MAX_ATTEMPTS) {
                    throw e;
                }
            }
        }
    }

    /**
     * Writes a batch: every append and transactional write becomes zero or more event slots; seqs are
     * allocated per channel in name order over all slots, then the events are inserted in one statement.
     */
    private Outcome[] write(Connection connection, List<PendingWrite> batch) throws SQLException {
        Outcome[] outcomes = new Outcome[batch.size()];
        Map<Integer, Integer> duplicateOf = new HashMap<>();
        Map<String, Integer> firstWithId = new HashMap<>();
        Map<String, Boolean> newIds = claimIds(connection, batch, firstWithId);
        List<Append> slots = new ArrayList<>();
        int[] firstSlot = new int[batch.size()];
        Object[] results = new Object[batch.size()];
        TreeMap<String, List<Integer>> slotsByChannel = new TreeMap<>();
        for (int i = 0; i < batch.size(); i++) {
            firstSlot[i] = slots.size();
            PendingWrite pending = batch.get(i);
            if (pending.transactional() != null) {
                TransactionalWrite.Staged<?> staged = pending.transactional().apply(connection);
                results[i] = staged.result();
                staged.events().forEach(event -> addSlot(slots, slotsByChannel, event));
                continue;
            }
            Append append = pending.append();
            if (append.clientMsgId() != null) {
                String key = IdClaim.key(append.channel(), append.clientMsgId());
                int first = firstWithId.get(key);
                if (first != i) {
                    duplicateOf.put(i, first);
                    continue;
                }
                if (!newIds.get(key)) {
                    outcomes[i] = Outcome.duplicate(loadClaimed(connection, append));
                    continue;
                }
            }
            if (append.mutation() != null) {
                ProtocolException refusal = mutate(connection, append);
                if (refusal != null) {
                    outcomes[i] = new Outcome(List.of(), null, false, refusal);
                    continue;
                }
            }
            addSlot(slots, slotsByChannel, append);
        }
        StoredEvent[] events = new StoredEvent[slots.size()];
        TreeMap<String, Integer> counts = new TreeMap<>();
        slotsByChannel.forEach((channel, indexes) -> counts.put(channel, indexes.size()));
        Map<String, Long> lastSeqs = counts.isEmpty() ? Map.of() : dialect.allocate(connection, counts);
        for (Map.Entry<String, List<Integer>> channel : slotsByChannel.entrySet()) {
            List<Integer> indexes = channel.getValue();
            long seq = lastSeqs.get(channel.getKey()) - indexes.size();
            for (int slot : indexes) {
                Append a = slots.get(slot);
                events[slot] = new StoredEvent(a.channel(), ++seq, a.type(), a.messageId(), a.payload(),
                        a.userId(), a.clientMsgId(), a.createdAt());
            }
        }
        insertEvents(connection, events);
        List<StoredEvent> stored = List.of(events);
        for (int i = 0; i < batch.size(); i++) {
            if (outcomes[i] == null && !duplicateOf.containsKey(i)) {
                int end = i + 1 < batch.size() ? firstSlot[i + 1] : slots.size();
                outcomes[i] = new Outcome(stored.subList(firstSlot[i], end), results[i], false, null);
            }
        }
        recordClaimedSeqs(connection, firstWithId, newIds, outcomes);
        duplicateOf.forEach((i, earlier) -> outcomes[i] = outcomes[earlier].refusal != null
                ? outcomes[earlier] : Outcome.duplicate(outcomes[earlier].events.get(0)));
        return outcomes;
    }

    /**
     * Claims the client message ids of the batch's appends in one call, each id once: the first append with an
     * id claims it, and {@code firstWithId} tells a later one which append that was. Returns, per id, whether the
     * claim is new (false: the id was claimed before this transaction).
     */
    private Map<String, Boolean> claimIds(Connection connection, List<PendingWrite> batch,
                                          Map<String, Integer> firstWithId) throws SQLException {
        List<IdClaim> claims = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) {
            Append append = batch.get(i).append();
            if (append == null || append.clientMsgId() == null) {
                continue;
            }
            IdClaim claim = new IdClaim(append.channel(), append.clientMsgId(), append.messageId(), append.createdAt());
            if (firstWithId.putIfAbsent(claim.key(), i) == null) {
                claims.add(claim);
            }
        }
        if (claims.isEmpty()) {
            return Map.of();
        }
        boolean[] claimed = dialect.claim(connection, claims);
        Map<String, Boolean> newIds = new HashMap<>(claims.size() * 2);
        for (int c = 0; c < claims.size(); c++) {
            newIds.put(claims.get(c).key(), claimed[c]);
        }
        return newIds;
    }

    private static void addSlot(List<Append> slots, Map<String, List<Integer>> slotsByChannel, Append append) {
        slotsByChannel.computeIfAbsent(append.channel(), c -> new ArrayList<>()).add(slots.size());
        slots.add(append);
    }

    private static void insertEvents(Connection connection, StoredEvent[] events) throws SQLException {
        if (events.length == 0) {
            return;
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO events (channel, seq, type, message_id, payload, user_id, client_msg_id, created_at) "
                        + "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (StoredEvent e : events) {
                insert.setString(1, e.channel());
                insert.setLong(2, e.seq());
                insert.setString(3, e.type());
                insert.setString(4, e.messageId());
                insert.setString(5, e.payload());
                insert.setString(6, e.userId());
                insert.setString(7, e.clientMsgId());
                insert.setLong(8, e.createdAt());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    /** Stores the seq of each message whose id this batch newly claimed (the first append with the id). */
    private static void recordClaimedSeqs(Connection connection, Map<String, Integer> firstWithId,
                                          Map<String, Boolean> newIds, Outcome[] outcomes) throws SQLException {
        if (firstWithId.isEmpty()) {
            return;
        }
        try (PreparedStatement update = connection.prepareStatement(
                "UPDATE client_msg_ids SET seq = ? WHERE channel = ? AND client_msg_id = ?")) {
            for (Map.Entry<String, Integer> first : firstWithId.entrySet()) {
                int i = first.getValue();
                if (!newIds.get(first.getKey()) || outcomes[i].events.isEmpty()) {
                    continue;
                }
                StoredEvent e = outcomes[i].events.get(0);
                update.setLong(1, e.seq());
                update.setString(2, e.channel());
                update.setString(3, e.clientMsgId());
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    private static StoredEvent loadClaimed(Connection connection, Append append) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT c.message_id, c.seq, e.type, e.payload, e.user_id, e.created_at FROM client_msg_ids c "
                        + "LEFT JOIN events e ON e.channel = c.channel AND e.seq = c.seq "
                        + "WHERE c.channel = ? AND c.client_msg_id = ?")) {
            select.setString(1, append.channel());
            select.setString(2, append.clientMsgId());
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("claim of " + append.clientMsgId() + " vanished", "40001");
                }
                String type = rs.getString(3);
                return new StoredEvent(append.channel(), rs.getLong(2), type == null ? append.type() : type,
                        rs.getString(1), rs.getString(4), rs.getString(5), append.clientMsgId(),
                        type == null ? append.createdAt() : rs.getLong(6));
            }
        }
    }

    /** Checks who may change the target message and applies the change; returns the refusal, if any. */
    private static ProtocolException mutate(Connection connection, Append append) throws SQLException {
        Append.Mutation mutation = append.mutation();
        String author;
        String stored;
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT user_id, payload FROM events WHERE channel = ? AND message_id = ? AND type = 'message.new' "
                        + "AND deleted_at IS NULL")) {
            select.setString(1, append.channel());
            select.setString(2, append.messageId());
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    return new ProtocolException(ErrorCode.NOT_FOUND,
                            "no message " + append.messageId() + " in " + append.channel());
                }
                author = rs.getString(1);
                stored = rs.getString(2);
            }
        }
        boolean isAuthor = author != null && author.equals(append.userId());
        if (mutation.kind() == Append.Mutation.Kind.EDIT && !isAuthor) {
            return new ProtocolException(ErrorCode.FORBIDDEN, "only the author may edit a message");
        }
        if (mutation.kind() == Append.Mutation.Kind.DELETE && !isAuthor && !mutation.actorMayModerate()) {
            return new ProtocolException(ErrorCode.FORBIDDEN, "only the author or a moderator may delete a message");
        }
        String column = mutation.kind() == Append.Mutation.Kind.EDIT ? "edited_at" : "deleted_at";
        try (PreparedStatement update = connection.prepareStatement("UPDATE events SET payload = ?, " + column
                + " = ? WHERE channel = ? AND message_id = ? AND type = 'message.new'")) {
            update.setString(1, MessagePayloads.changed(stored, mutation, append.createdAt()));
            update.setLong(2, append.createdAt());
            update.setString(3, append.channel());
            update.setString(4, append.messageId());
            update.executeUpdate();
        }
        return null;
    }

    /** Transactions committed so far (each holds one batch). */
    long transactions() {
        return transactions.get();
    }

    /** Stops taking writes, commits what is queued, and waits for the thread. */
    @Override
    public void close() {
        running = false;
        try {
            thread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** An append or a transactional write (exactly one is set), with its commit callback and future. */
    @SuppressWarnings({"rawtypes", "unchecked"})
    private record PendingWrite(Append append, TransactionalWrite<?> transactional, Consumer onCommit,
                                CompletableFuture future, long queuedAt) {
    }

    /** What one pending write came to: its events (one for an append), its result, or its refusal. */
    private record Outcome(List<StoredEvent> events, Object result, boolean duplicate, ProtocolException refusal) {
        static Outcome duplicate(StoredEvent original) {
            return new Outcome(List.of(original), null, true, null);
        }
    }
}
