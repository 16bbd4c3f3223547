package dev.tandem.docs;

import dev.tandem.protocol.CloseCode;
import dev.tandem.yjs.Lib0Reader;
import dev.tandem.yjs.MalformedUpdateException;
import dev.tandem.yjs.YUpdates;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One collaborative document in memory: its content, the connections editing it and their awareness.
 *
 * <p>Design: the room holds no CRDT, only Yjs updates: a {@link MergedDocument} (one merged update plus the
 * updates since, merged in the background in bounded batches), so a client's sync step 1 is answered with one
 * diff of the merged update against its state vector. Every method runs under the room's lock, so updates are
 * stored, counted and relayed in one order; peers queue sends without blocking, and an update is relayed as
 * the bytes it arrived in. Nothing proportional to the document's size runs under the lock or on the caller's
 * thread (an event loop): merging, diffing and state vectors run on the bounded {@code merger}, and compaction
 * on the store's worker, from snapshots; their results replace what the snapshot covered. Invariant: nothing
 * is sent to a peer before the stored document has loaded. A peer that joins while the room loads is welcomed
 * (server step 1 + awareness) when loading completes, and its messages wait in {@code pending}, so a client is
 * never synced against an empty document while the stored one loads.
 *
 * <p>Cluster: what this room applies for its own peers is also {@link DocumentRelay#share shared} with the same
 * room on the other nodes; what they share arrives through {@link #receiveRelayed} and is applied in memory and
 * sent to this room's peers, but neither stored (its node stores it) nor shared again.
 */
final class DocumentRoom {
    private static final Logger LOG = LoggerFactory.getLogger(DocumentRoom.class);
    private static final int MAX_PENDING = 10_000;

    private enum State { LOADING, READY, FAILED, UNLOADED }

    private record Pending(DocumentPeer peer, byte[] message) {
    }

    /**
     * Owns the awareness states announced through another node: that node removes them when their connection
     * closes, or this room does when the node dies ({@link #forgetNode}).
     */
    private static final class OtherNode implements DocumentPeer {
        @Override
        public void send(byte[] message) {
        }

        @Override
        public void close(int code, String reason) {
        }

        @Override
        public String userId() {
            return "";
        }

        @Override
        public String connectionId() {
            return "";
        }
    }

    private final String name;
    private final DocumentStore store;
    private final Executor merger;
    private final DocumentPresence presence;
    private final int compactAfter;
    private final DocumentRelay relay;
    private final MergedDocument document = new MergedDocument();
    private final Set<DocumentPeer> peers = new LinkedHashSet<>();
    private final Awareness awareness = new Awareness();
    private final Map<String, DocumentPeer> otherNodes = new HashMap<>();
    private final List<Pending> pending = new ArrayList<>();
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();
    private State state = State.LOADING;
    private int appendsSinceReplace;
    private boolean compacting;
    private long idleSince = System.nanoTime();
    private long compactedAt = System.nanoTime();

    DocumentRoom(String name, DocumentStore store, Executor merger, DocumentPresence presence, int compactAfter) {
        this(name, store, merger, presence, compactAfter, DocumentRelay.NONE);
    }

    DocumentRoom(String name, DocumentStore store, Executor merger, DocumentPresence presence, int compactAfter,
                 DocumentRelay relay) {
        this.name = name;
        this.store = store;
        this.merger = merger;
        this.relay = relay;
        this.presence = presence;
        this.compactAfter = compactAfter;
    }

    String name() {
        return name;
    }

    CompletableFuture<Void> loaded() {
        return loaded;
    }

    synchronized void onLoaded(List<byte[]> stored) {
        if (state != State.LOADING) {
            return;
        }
        document.load(stored);
        appendsSinceReplace = stored.size() > 1 ? stored.size() : 0;
        state = State.READY;
        for (DocumentPeer peer : List.copyOf(peers)) {
            welcome(peer);
        }
        for (Pending p : pending) {
            if (peers.contains(p.peer)) {
                handle(p.peer, p.message);
            }
        }
        pending.clear();
        loaded.complete(null);
    }

    synchronized void onLoadFailed(Throwable cause) {
        LOG.error("document {} could not be loaded", name, cause);
        state = State.FAILED;
        pending.clear();
        for (DocumentPeer peer : List.copyOf(peers)) {
            presence.left(name, peer);
            peer.close(CloseCode.TRY_AGAIN_LATER.code(), "document could not be loaded");
        }
        peers.clear();
        loaded.completeExceptionally(cause);
    }

    /** Adds a peer; false when the room has been unloaded or failed (the caller makes a new room). */
    synchronized boolean join(DocumentPeer peer) {
        if (state == State.UNLOADED || state == State.FAILED) {
            return false;
        }
        peers.add(peer);
        if (state == State.READY) {
            welcome(peer);
        }
        return true;
    }

    synchronized boolean isOpen() {
        return state == State.LOADING || state == State.READY;
    }

    /**
     * Applies an update that came from elsewhere than a peer (the HTTP API), relaying it to every peer; completes
     * once it is durable, so the caller acknowledges only what a crash cannot lose. Null when the room is no
     * longer open (unloaded meanwhile): the caller applies it to a fresh room.
     */
    synchronized CompletableFuture<Void> applyExternal(byte[] update) {
        if (state != State.READY) {
            return null;
        }
        if (YUpdates.isEmpty(update)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> durable = apply(update);
        share(SyncMessages.sync(SyncMessages.UPDATE, update));
        if (peers.isEmpty()) {
            idleSince = System.nanoTime();
        }
        return durable;
    }

    synchronized void leave(DocumentPeer peer) {
        if (!peers.remove(peer)) {
            return;
        }
        pending.removeIf(p -> p.peer == peer);
        presence.left(name, peer);
        byte[] gone = awareness.removeOwnedBy(peer);
        if (gone != null) {
            share(SyncMessages.awareness(gone));
        }
        if (peers.isEmpty()) {
            idleSince = System.nanoTime();
        }
    }

    synchronized void receive(DocumentPeer peer, byte[] message) {
        if (!peers.contains(peer)) {
            return;
        }
        if (state == State.LOADING) {
            if (pending.size() >= MAX_PENDING) {
                peer.close(CloseCode.TRY_AGAIN_LATER.code(), "document still loading");
                return;
            }
            pending.add(new Pending(peer, message));
            return;
        }
        handle(peer, message);
    }

    /** The whole document as one update, merged on the merger; call once loaded. */
    synchronized CompletableFuture<byte[]> document() {
        return CompletableFuture.supplyAsync(document::current, merger);
    }

    /**
     * Computes {@code answer} on the merger, then sends it to {@code peer} if it is still here; a merger that
     * cannot take more work closes the peer with 1013 (it reconnects).
     */
    private void answer(DocumentPeer peer, Supplier<byte[]> answer) {
        try {
            merger.execute(() -> {
                byte[] message;
                try {
                    message = answer.get();
                } catch (RuntimeException e) {
                    LOG.warn("document {}: sync answer failed: {}", name, e.toString());
                    peer.close(CloseCode.POLICY.code(), "y-websocket message rejected");
                    return;
                }
                sendIfPresent(peer, message);
            });
        } catch (RejectedExecutionException e) {
            peer.close(CloseCode.TRY_AGAIN_LATER.code(), "server busy");
        }
    }

    private synchronized void sendIfPresent(DocumentPeer peer, byte[] message) {
        if (peers.contains(peer)) {
            peer.send(message);
        }
    }

    /**
     * Unloads the room when it has had no peers for {@code idleNanos}, compacting what is stored first.
     * Returns whether it did.
     */
    synchronized boolean unloadIfIdle(long idleNanos) {
        if (state == State.FAILED) {
            state = State.UNLOADED;
            return true;
        }
        if (state != State.READY || !peers.isEmpty() || System.nanoTime() - idleSince < idleNanos) {
            return false;
        }
        compactStoreNow();
        state = State.UNLOADED;
        return true;
    }

    /** Compacts the stored updates when some are not merged yet and the last compaction is older than {@code everyNanos}. */
    synchronized void compactIfDue(long everyNanos) {
        if (state == State.READY && System.nanoTime() - compactedAt >= everyNanos) {
            compactStore();
        }
    }

    /** Drops the room for good (its document was deleted): peers are closed with a final code. */
    synchronized void evict(int code, String reason) {
        state = State.UNLOADED;
        for (DocumentPeer peer : List.copyOf(peers)) {
            presence.left(name, peer);
            peer.close(code, reason);
        }
        peers.clear();
        pending.clear();
        document.clear();
    }

    /**
     * On shutdown: closes every peer with 1012 (y-websocket reconnects, to another node or after the restart) so
     * nothing arrives after the store closes, then writes the compacted document if updates are not yet merged.
     */
    synchronized void shutdown() {
        for (DocumentPeer peer : List.copyOf(peers)) {
            byte[] gone = awareness.removeOwnedBy(peer);
            if (gone != null) {
                relay.share(name, SyncMessages.awareness(gone)); // the other nodes' editors stop seeing it at once
            }
            presence.left(name, peer);
            peer.close(CloseCode.SERVER_RESTARTING.code(), "server shutting down");
        }
        peers.clear();
        pending.clear();
        if (state == State.READY) {
            compactStoreNow();
        }
    }

    /**
     * Hands a snapshot of the document (merged update and tail) to the store, which merges it on its own worker
     * (never on this thread, which may be an event loop) and replaces what it stores; the result becomes the
     * merged update in memory too, unless a merge moved on meanwhile. One compaction at a time per room.
     */
    private void compactStore() {
        if (compacting) {
            return;
        }
        compactStoreNow();
    }

    /** As {@link #compactStore} even while one is in flight: the room unloads or the server stops. */
    private void compactStoreNow() {
        MergedDocument.Snapshot snapshot = document.snapshot();
        if (appendsSinceReplace == 0 || snapshot.isEmpty()) {
            return;
        }
        int unsaved = appendsSinceReplace;
        appendsSinceReplace = 0;
        compacting = true;
        compactedAt = System.nanoTime();
        store.compact(name, snapshot.updates())
                .whenComplete((merged, error) -> onCompacted(snapshot, unsaved, merged, error));
    }

    private synchronized void onCompacted(MergedDocument.Snapshot snapshot, int unsaved, byte[] merged,
                                          Throwable error) {
        compacting = false;
        if (error != null) {
            LOG.warn("document {}: compaction failed ({}); its updates stay stored one by one", name, error.toString());
            appendsSinceReplace += unsaved;
            return;
        }
        document.install(snapshot, merged);
    }

    /** Server sync step 1 (the document's state vector, computed on the merger) and the awareness states. */
    private void welcome(DocumentPeer peer) {
        answer(peer, () -> SyncMessages.sync(SyncMessages.STEP1, document.stateVector()));
        if (!awareness.isEmpty()) {
            peer.send(SyncMessages.awareness(awareness.encodeAll()));
        }
    }

    private void handle(DocumentPeer peer, byte[] message) {
        try {
            Lib0Reader in = new Lib0Reader(message);
            int type = (int) in.varUint();
            switch (type) {
                case SyncMessages.SYNC -> handleSync(peer, message, in);
                case SyncMessages.AWARENESS -> {
                    String owned = awareness.apply(in.varBytes(), peer);
                    share(message);
                    if (owned != null) {
                        presence.announced(name, peer, owned);
                    }
                }
                case SyncMessages.QUERY_AWARENESS -> peer.send(SyncMessages.awareness(awareness.encodeAll()));
                default -> { } // auth (2) and unknown types are ignored, as y-websocket servers do
            }
        } catch (MalformedUpdateException e) {
            LOG.debug("document {}: malformed message: {}", name, e.getMessage());
            peer.close(CloseCode.POLICY.code(), "malformed y-websocket message: " + e.getMessage());
        } catch (RuntimeException e) {
            // Client input must never take the room down; the message tells what to look at.
            LOG.warn("document {}: message rejected: {}", name, e.toString());
            peer.close(CloseCode.POLICY.code(), "y-websocket message rejected");
        }
    }

    private void handleSync(DocumentPeer peer, byte[] message, Lib0Reader in) {
        int step = (int) in.varUint();
        byte[] payload = in.varBytes();
        if (step == SyncMessages.STEP1) {
            answer(peer, () -> SyncMessages.sync(SyncMessages.STEP2, YUpdates.diff(document.current(), payload)));
            return;
        }
        if (step != SyncMessages.STEP2 && step != SyncMessages.UPDATE) {
            throw new MalformedUpdateException("unknown sync step " + step);
        }
        if (YUpdates.isEmpty(payload)) {
            return;
        }
        YUpdates.validate(payload);
        apply(payload);
        share(in.hasMore() ? SyncMessages.sync(SyncMessages.UPDATE, payload) // trailing bytes are not relayed
                : step == SyncMessages.UPDATE ? message : SyncMessages.asUpdate(message));
    }

    private CompletableFuture<Void> apply(byte[] update) {
        if (document.add(update)) {
            mergeInBackground();
        }
        appendsSinceReplace++;
        CompletableFuture<Void> durable = store.append(name, update);
        durable.exceptionally(e -> {
            LOG.warn("document {}: append failed ({}); it will be written with the next compaction", name, e.toString());
            markUnsaved();
            return null;
        });
        if (appendsSinceReplace >= compactAfter) {
            compactStore();
        }
        return durable;
    }

    /** Merges the tail into the document on the merger, so memory and the next sync answer stay small. */
    private void mergeInBackground() {
        try {
            merger.execute(document::current);
        } catch (RejectedExecutionException e) {
            document.mergeNotQueued(); // the merger is saturated; the next batch or sync answer merges
        }
    }

    private synchronized void markUnsaved() {
        appendsSinceReplace = Math.max(appendsSinceReplace, compactAfter - 1);
    }

    /**
     * A message the same room applied on another node. Dropped while loading: once loaded, the room asks the
     * other nodes for everything it lacks anyway. Awareness states learned this way are owned by no peer here.
     */
    synchronized void receiveRelayed(String node, byte[] message) {
        if (state != State.READY) {
            return;
        }
        try {
            Lib0Reader in = new Lib0Reader(message);
            int type = (int) in.varUint();
            if (type == SyncMessages.SYNC) {
                int step = (int) in.varUint();
                byte[] update = in.varBytes();
                if (!YUpdates.isEmpty(update)) {
                    if (document.add(update)) {
                        mergeInBackground();
                    }
                    broadcast(step == SyncMessages.UPDATE && !in.hasMore() ? message
                            : SyncMessages.sync(SyncMessages.UPDATE, update));
                }
            } else if (type == SyncMessages.AWARENESS) {
                awareness.apply(in.varBytes(), otherNodes.computeIfAbsent(node, n -> new OtherNode()));
                broadcast(message);
            }
        } catch (RuntimeException e) {
            LOG.warn("document {}: relayed message rejected: {}", name, e.toString());
        }
    }

    /** {@code node} died: the awareness states announced through it go, for this room's peers. */
    synchronized void forgetNode(String node) {
        DocumentPeer gone = otherNodes.remove(node);
        byte[] removal = gone == null ? null : awareness.removeOwnedBy(gone);
        if (removal != null) {
            broadcast(SyncMessages.awareness(removal));
        }
    }

    /** To this room's peers and to the same room on the other nodes. */
    private void share(byte[] message) {
        broadcast(message);
        relay.share(name, message);
    }

    private void broadcast(byte[] message) {
        for (DocumentPeer peer : peers) {
            peer.send(message);
        }
    }
}
