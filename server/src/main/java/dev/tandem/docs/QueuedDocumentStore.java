package dev.tandem.docs;

import dev.tandem.yjs.YUpdates;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part every {@link DocumentStore} shares: one worker thread and one bounded queue of operations, run in
 * call order (which is the per-room ordering the contract asks for, without locks).
 *
 * <p>Design: the worker drains whatever is queued as one batch; consecutive appends go to the backend as one
 * {@link #write} (one fsync, one transaction: group commit), and their futures complete only after it returns,
 * so an idle store makes a lone update durable at once and a busy one shares the cost among many. Compaction
 * merges on this worker too ({@link YUpdates#merge}), never on the caller's thread, which may be an event loop;
 * the queue bounds how much such work can wait. A full queue fails the operation at once.
 */
public abstract class QueuedDocumentStore implements DocumentStore {
    private static final Logger LOG = LoggerFactory.getLogger(QueuedDocumentStore.class);
    private static final int QUEUE_CAPACITY = 65_536;
    private static final int MAX_BATCH = 4096;

    /** One update to append to a room. */
    protected record RoomUpdate(String room, byte[] update) {
    }

    private sealed interface Op permits Load, Append, Compact, Delete, Stop {
    }

    private record Load(String room, CompletableFuture<List<byte[]>> done) implements Op {
    }

    private record Append(RoomUpdate update, CompletableFuture<Void> done) implements Op {
    }

    private record Compact(String room, List<byte[]> updates, CompletableFuture<byte[]> done) implements Op {
    }

    private record Delete(String room, CompletableFuture<Void> done) implements Op {
    }

    private record Stop() implements Op {
    }

    private final BlockingQueue<Op> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Thread worker;
    private final DocumentStoreListener listener;
    private volatile boolean closed;

    protected QueuedDocumentStore(String threadName, DocumentStoreListener listener) {
        this.listener = listener;
        this.worker = new Thread(this::run, threadName);
        worker.setDaemon(true);
    }

    /** Starts the worker; called by the subclass once it is fully constructed. */
    protected final void start() {
        worker.start();
    }

    /** Every stored update of {@code room} in append order. */
    protected abstract List<byte[]> read(String room) throws Exception;

    /** Appends a batch (possibly several rooms) in order; everything is durable when this returns. */
    protected abstract void write(List<RoomUpdate> batch) throws Exception;

    /** Replaces everything stored for {@code room} with the one non-empty update {@code compacted}, atomically. */
    protected abstract void replace(String room, byte[] compacted) throws Exception;

    /** Removes everything stored for {@code room}. */
    protected abstract void remove(String room) throws Exception;

    /** Releases the backend's resources; called on the worker after the last operation. */
    protected abstract void release();

    @Override
    public final CompletableFuture<List<byte[]>> load(String room) {
        CompletableFuture<List<byte[]>> done = new CompletableFuture<>();
        submit(new Load(room, done), done);
        return done;
    }

    @Override
    public final CompletableFuture<Void> append(String room, byte[] update) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(new Append(new RoomUpdate(room, update), done), done);
        return done;
    }

    @Override
    public final CompletableFuture<byte[]> compact(String room, List<byte[]> updates) {
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        submit(new Compact(room, List.copyOf(updates), done), done);
        return done;
    }

    @Override
    public final CompletableFuture<Void> delete(String room) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        submit(new Delete(room, done), done);
        return done;
    }

    private void submit(Op op, CompletableFuture<?> done) {
        if (closed || !queue.offer(op)) {
            done.completeExceptionally(new RejectedExecutionException("document store " + (closed ? "closed" : "queue full")));
        }
    }

    @Override
    public final void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            queue.put(new Stop());
            worker.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        List<Op> batch = new ArrayList<>();
        while (true) {
            try {
                batch.add(queue.take());
            } catch (InterruptedException e) {
                return;
            }
            queue.drainTo(batch, MAX_BATCH);
            boolean stop = runBatch(batch);
            batch.clear();
            if (stop) {
                release();
                return;
            }
        }
    }

    /** Runs one batch in order; runs of consecutive appends are written together. */
    private boolean runBatch(List<Op> batch) {
        List<Append> appends = new ArrayList<>();
        for (Op op : batch) {
            if (op instanceof Append a) {
                appends.add(a);
                continue;
            }
            flush(appends);
            if (op instanceof Stop) {
                return true;
            }
            runOne(op);
        }
        flush(appends);
        return false;
    }

    private void flush(List<Append> appends) {
        if (appends.isEmpty()) {
            return;
        }
        List<RoomUpdate> updates = new ArrayList<>(appends.size());
        long bytes = 0;
        for (Append a : appends) {
            updates.add(a.update());
            bytes += a.update().update().length;
        }
        try {
            write(updates);
            listener.stored(appends.size(), bytes);
            appends.forEach(a -> a.done().complete(null));
        } catch (Exception e) {
            LOG.error("document store: writing {} updates failed", appends.size(), e);
            appends.forEach(a -> a.done().completeExceptionally(e));
        }
        appends.clear();
    }

    private void runOne(Op op) {
        try {
            if (op instanceof Load l) {
                List<byte[]> stored = read(l.room());
                stored.forEach(YUpdates::validate); // corrupted data fails the load here, not every sync later
                l.done().complete(stored);
            } else if (op instanceof Compact c) {
                c.done().complete(compactNow(c.room(), c.updates()));
            } else if (op instanceof Delete d) {
                remove(d.room());
                d.done().complete(null);
            }
        } catch (Exception | StackOverflowError e) {
            LOG.error("document store operation {} failed", op.getClass().getSimpleName(), e);
            fail(op, e);
        }
    }

    /**
     * Merges and replaces. An empty result never replaces what is stored: an empty document must never
     * overwrite a stored one (only {@link #delete} removes a document).
     */
    private byte[] compactNow(String room, List<byte[]> updates) throws Exception {
        if (updates.isEmpty()) {
            return YUpdates.EMPTY;
        }
        long start = System.nanoTime();
        byte[] merged = updates.size() == 1 ? updates.get(0) : YUpdates.merge(updates);
        if (YUpdates.isEmpty(merged)) {
            return merged;
        }
        replace(room, merged);
        listener.compacted(System.nanoTime() - start, merged.length);
        return merged;
    }

    private static void fail(Op op, Throwable e) {
        if (op instanceof Load l) {
            l.done().completeExceptionally(e);
        } else if (op instanceof Compact c) {
            c.done().completeExceptionally(e);
        } else if (op instanceof Delete d) {
            d.done().completeExceptionally(e);
        }
    }
}
