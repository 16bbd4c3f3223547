package dev.tandem.docs;

import dev.tandem.config.DocumentsConfig;
import dev.tandem.yjs.YUpdates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rooms loaded in memory, by name: loads a room from the {@link DocumentStore} on its first connection,
 * unloads (after compacting) rooms idle for {@code documents.idleUnload}, and serves snapshots and deletes.
 * The registry lock is taken before a room's lock, never the other way round.
 *
 * <p>Cluster: rooms share their changes through the {@link DocumentRelay}; a room that loads asks the other
 * nodes for what the stored document lacks (updates they hold whose append is still on its way), rooms ask
 * again after a relay outage, and a delete drops the room on every node.
 */
public final class DocumentRooms implements AutoCloseable {
    /** Close code for connections of a deleted document: 4400–4499 tells y-websocket not to reconnect. */
    public static final int DOCUMENT_DELETED = 4404;
    private static final Logger LOG = LoggerFactory.getLogger(DocumentRooms.class);
    private static final int MERGE_QUEUE = 4096;

    private final DocumentsConfig config;
    private final DocumentStore store;
    private final DocumentPresence presence;
    private final DocumentRelay relay;
    private final Map<String, DocumentRoom> rooms = new HashMap<>();
    private final ScheduledFuture<?> sweeper;
    private final ThreadPoolExecutor merger;

    public DocumentRooms(DocumentsConfig config, DocumentStore store, DocumentPresence presence,
                         ScheduledExecutorService scheduler) {
        this(config, store, presence, scheduler, DocumentRelay.NONE);
    }

    /** As a node of a cluster: rooms are kept in step with the same rooms on the other nodes through {@code relay}. */
    public DocumentRooms(DocumentsConfig config, DocumentStore store, DocumentPresence presence,
                         ScheduledExecutorService scheduler, DocumentRelay relay) {
        this.config = config;
        this.store = store;
        this.presence = presence;
        this.relay = relay;
        this.merger = merger();
        long every = Math.max(100, Math.min(Math.min(config.idleUnload().toMillis(), config.compactInterval().toMillis()) / 2, 5_000));
        this.sweeper = scheduler.scheduleWithFixedDelay(this::unloadIdle, every, every, TimeUnit.MILLISECONDS);
        relay.start(new Relayed());
    }

    /**
     * Adds {@code peer} to the room, loading it if needed; the peer is welcomed once the document is loaded.
     * The welcome (which may merge the document) runs under the room's lock only, not the registry's.
     */
    public DocumentSession join(String name, DocumentPeer peer) {
        while (true) {
            DocumentRoom room;
            synchronized (this) {
                room = rooms.get(name);
                if (room == null || !room.isOpen()) {
                    room = load(name);
                }
            }
            if (room.join(peer)) {
                return new DocumentSession(room, peer);
            }
            // unloaded between the lookup and the join: look again (the next lookup loads a fresh room)
        }
    }

    /**
     * Where merges, diffs and state vectors run (CPU work proportional to a document, never on an event loop):
     * two threads at most and a bounded queue; a full queue refuses the work (the caller answers 1013 or 503).
     */
    private static ThreadPoolExecutor merger() {
        int threads = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors() / 2));
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(MERGE_QUEUE), r -> {
            Thread t = new Thread(r, "tandem-docs-merge-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    private DocumentRoom load(String name) {
        DocumentRoom room = new DocumentRoom(name, store, merger, presence, config.compactAfter(), relay);
        rooms.put(name, room);
        store.load(name).whenComplete((stored, error) -> {
            if (error != null) {
                room.onLoadFailed(error);
            } else {
                room.onLoaded(stored);
                askOthersFor(room);
            }
        });
        return room;
    }

    /** Cluster: asks the other nodes holding {@code room} for what its copy lacks (state vector on the merger). */
    private void askOthersFor(DocumentRoom room) {
        if (relay == DocumentRelay.NONE) {
            return;
        }
        try {
            room.document().thenAccept(document -> relay.requestSync(room.name(), YUpdates.stateVector(document)))
                    .exceptionally(failure -> {
                        LOG.warn("document {}: cannot ask the other nodes for updates: {}", room.name(), failure.toString());
                        return null;
                    });
        } catch (RejectedExecutionException e) {
            LOG.warn("document {}: merger busy; not asking the other nodes for updates", room.name());
        }
    }

    /** The document as one Yjs update ({@code 00 00} when it does not exist). */
    public CompletableFuture<byte[]> snapshot(String name) {
        DocumentRoom room;
        synchronized (this) {
            room = rooms.get(name);
        }
        if (room != null) {
            return room.loaded().thenCompose(v -> room.document());
        }
        return store.load(name).thenApplyAsync(stored -> stored.isEmpty() ? YUpdates.EMPTY : YUpdates.merge(stored), merger);
    }

    /**
     * Applies an update as if an editor had sent it (seeding over HTTP); connected editors receive it. Completes
     * once the update is durable.
     */
    public CompletableFuture<Void> apply(String name, byte[] update) {
        DocumentRoom room;
        synchronized (this) {
            room = rooms.get(name);
            if (room == null || !room.isOpen()) {
                room = load(name);
            }
        }
        DocumentRoom target = room;
        return room.loaded().thenCompose(v -> {
            CompletableFuture<Void> durable = target.applyExternal(update);
            return durable != null ? durable : apply(name, update);
        });
    }

    /**
     * Deletes the stored document and closes its connections with {@link #DOCUMENT_DELETED}, on every node: the
     * other nodes drop their copies, which would otherwise store the document again.
     */
    public CompletableFuture<Void> delete(String name) {
        synchronized (this) {
            evict(name);
            relay.deleted(name);
            return store.delete(name);
        }
    }

    private synchronized void evict(String name) {
        DocumentRoom room = rooms.remove(name);
        if (room != null) {
            room.evict(DOCUMENT_DELETED, "document deleted");
        }
    }

    private synchronized DocumentRoom loadedRoom(String name) {
        DocumentRoom room = rooms.get(name);
        return room != null && room.isOpen() ? room : null;
    }

    public synchronized int loadedRooms() {
        return rooms.size();
    }

    private synchronized void unloadIdle() {
        long idle = config.idleUnload().toNanos();
        long compactEvery = config.compactInterval().toNanos();
        rooms.values().removeIf(room -> room.unloadIfIdle(idle));
        rooms.values().forEach(room -> room.compactIfDue(compactEvery));
    }

    /** Cluster: {@code node} died; the awareness states of its editors go from every room here. */
    public void forgetNode(String node) {
        roomsNow().forEach(room -> room.forgetNode(node));
    }

    private synchronized List<DocumentRoom> roomsNow() {
        return new ArrayList<>(rooms.values());
    }

    /** What the other nodes relay, applied to the rooms loaded here (a room not loaded here needs none of it). */
    private final class Relayed implements DocumentRelay.Receiver {
        @Override
        public void relayed(String node, String name, byte[] message) {
            DocumentRoom room = loadedRoom(name);
            if (room != null) {
                room.receiveRelayed(node, message);
            }
        }

        @Override
        public void syncRequested(String node, String name, byte[] stateVector) {
            DocumentRoom room = loadedRoom(name);
            if (room == null) {
                return;
            }
            room.loaded().thenCompose(v -> room.document()).thenAccept(document -> {
                byte[] missing = YUpdates.diff(document, stateVector);
                if (!YUpdates.isEmpty(missing)) {
                    relay.answer(node, name, SyncMessages.sync(SyncMessages.UPDATE, missing));
                }
            }).exceptionally(failure -> {
                LOG.warn("document {}: cannot answer node {}: {}", name, node, failure.toString());
                return null;
            });
        }

        @Override
        public void deleted(String name) {
            evict(name);
        }

        @Override
        public void resync() {
            for (DocumentRoom room : roomsNow()) {
                if (room.isOpen()) {
                    room.loaded().thenRun(() -> askOthersFor(room));
                }
            }
        }
    }

    /**
     * Closes every document connection (1012), compacts every loaded room into the store, then closes the store
     * (which makes everything durable).
     */
    @Override
    public void close() {
        sweeper.cancel(false);
        roomsNow().forEach(DocumentRoom::shutdown);
        merger.shutdown();
        store.close();
    }
}
