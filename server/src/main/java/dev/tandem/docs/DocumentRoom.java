package dev.tandem.docs;

import dev.tandem.protocol.CloseCode;
import dev.tandem.yjs.Lib0Reader;
import dev.tandem.yjs.MalformedUpdateException;
import dev.tandem.yjs.YUpdates;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One collaborative document in memory: its stored updates, the connections editing it and their awareness.
 *
 * <p>Design: the room holds no CRDT, only Yjs updates, merged with {@link YUpdates} (a client's sync step 1 is
 * answered with the diff against its state vector). Every method runs under the room's lock, so updates are
 * stored, counted and relayed in one order; peers queue sends without blocking. Invariant: nothing is sent to
 * a peer before the stored document has loaded. A peer that joins while the room loads is welcomed (server
 * step 1 + awareness) when loading completes, and its messages wait in {@code pending}, so a client is never
 * synced against an empty document while the stored one loads.
 */
final class DocumentRoom {
    private static final Logger LOG = LoggerFactory.getLogger(DocumentRoom.class);
    private static final int MAX_PENDING = 10_000;

    private enum State { LOADING, READY, FAILED, UNLOADED }

    private record Pending(DocumentPeer peer, byte[] message) {
    }

    private final String name;
    private final DocumentStore store;
    private final int compactAfter;
    private final List<byte[]> updates = new ArrayList<>();
    private final Set<DocumentPeer> peers = new LinkedHashSet<>();
    private final Awareness awareness = new Awareness();
    private final List<Pending> pending = new ArrayList<>();
    private final CompletableFuture<Void> loaded = new CompletableFuture<>();
    private State state = State.LOADING;
    private int appendsSinceReplace;
    private long idleSince = System.nanoTime();

    DocumentRoom(String name, DocumentStore store, int compactAfter) {
        this.name = name;
        this.store = store;
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
        try {
            YUpdates.stateVector(stored.isEmpty() ? YUpdates.EMPTY : YUpdates.merge(stored));
        } catch (RuntimeException e) {
            onLoadFailed(e);
            return;
        }
        updates.addAll(stored);
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

    /** Applies an update that came from elsewhere than a peer (the HTTP API), relaying it to every peer. */
    synchronized void applyExternal(byte[] update) {
        if (state != State.READY || YUpdates.isEmpty(update)) {
            return;
        }
        apply(update);
        broadcast(SyncMessages.sync(SyncMessages.UPDATE, update));
        if (peers.isEmpty()) {
            idleSince = System.nanoTime();
        }
    }

    synchronized void leave(DocumentPeer peer) {
        if (!peers.remove(peer)) {
            return;
        }
        pending.removeIf(p -> p.peer == peer);
        byte[] gone = awareness.removeOwnedBy(peer);
        if (gone != null) {
            broadcast(SyncMessages.awareness(gone));
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

    /** The whole document as one update (merging what is stored, in memory). */
    synchronized byte[] document() {
        if (updates.isEmpty()) {
            return YUpdates.EMPTY;
        }
        if (updates.size() > 1) {
            byte[] merged = YUpdates.merge(updates);
            updates.clear();
            updates.add(merged);
        }
        return updates.get(0);
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
        compactStore();
        state = State.UNLOADED;
        return true;
    }

    /** Drops the room for good (its document was deleted): peers are closed with a final code. */
    synchronized void evict(int code, String reason) {
        state = State.UNLOADED;
        for (DocumentPeer peer : List.copyOf(peers)) {
            peer.close(code, reason);
        }
        peers.clear();
        pending.clear();
        updates.clear();
    }

    /**
     * On shutdown: closes every peer with 1012 (y-websocket reconnects, to another node or after the restart) so
     * nothing arrives after the store closes, then writes the compacted document if updates are not yet merged.
     */
    synchronized void shutdown() {
        for (DocumentPeer peer : List.copyOf(peers)) {
            peer.close(CloseCode.SERVER_RESTARTING.code(), "server shutting down");
        }
        peers.clear();
        pending.clear();
        if (state == State.READY) {
            compactStore();
        }
    }

    private void compactStore() {
        if (appendsSinceReplace > 0) {
            store.replace(name, document());
            appendsSinceReplace = 0;
        }
    }

    private void welcome(DocumentPeer peer) {
        peer.send(SyncMessages.sync(SyncMessages.STEP1, YUpdates.stateVector(document())));
        if (!awareness.isEmpty()) {
            peer.send(SyncMessages.awareness(awareness.encodeAll()));
        }
    }

    private void handle(DocumentPeer peer, byte[] message) {
        try {
            Lib0Reader in = new Lib0Reader(message);
            int type = (int) in.varUint();
            switch (type) {
                case SyncMessages.SYNC -> handleSync(peer, in);
                case SyncMessages.AWARENESS -> {
                    awareness.apply(in.varBytes(), peer);
                    broadcast(message);
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

    private void handleSync(DocumentPeer peer, Lib0Reader in) {
        int step = (int) in.varUint();
        byte[] payload = in.varBytes();
        if (step == SyncMessages.STEP1) {
            peer.send(SyncMessages.sync(SyncMessages.STEP2, YUpdates.diff(document(), payload)));
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
        broadcast(SyncMessages.sync(SyncMessages.UPDATE, payload));
    }

    private void apply(byte[] update) {
        updates.add(update);
        appendsSinceReplace++;
        store.append(name, update).exceptionally(e -> {
            LOG.warn("document {}: append failed ({}); it will be written with the next compaction", name, e.toString());
            markUnsaved();
            return null;
        });
        if (appendsSinceReplace >= compactAfter) {
            compactStore();
        }
    }

    private synchronized void markUnsaved() {
        appendsSinceReplace = Math.max(appendsSinceReplace, compactAfter - 1);
    }

    private void broadcast(byte[] message) {
        for (DocumentPeer peer : peers) {
            peer.send(message);
        }
    }
}
