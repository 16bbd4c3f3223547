package dev.tandem.docs;

import dev.tandem.yjs.YUpdates;
import java.util.ArrayList;
import java.util.List;

/**
 * The content of a loaded document: one merged Yjs update (the base) and the updates applied since (the tail),
 * so a sync answer is a diff of one update against the client's state vector, not a merge of the history.
 *
 * <p>Design: {@link #add} only appends to the tail (cheap, on the caller's thread, which may be an event loop)
 * and says when the tail has grown to a batch worth merging; {@link #current} merges base + tail into the new
 * base and must run off the event loop (the room's merger). Merges run one at a time ({@code mergeLock}, taken
 * before this object's lock) from a snapshot, and the result replaces exactly the snapshot's base and tail
 * prefix, so updates added meanwhile stay in the tail. Only the base and the unmerged tail are kept: a merged
 * update's bytes are dropped, so memory is the document's encoded size plus a tail of at most a quarter of it
 * (or one batch, and never more than {@link #MAX_TAIL_BYTES}). The state vector of the base is kept beside it,
 * since every joiner asks for it.
 */
final class MergedDocument {
    /**
     * A tail of at least this many updates that is also a quarter of the base's size is merged into the base in
     * the background; a tail of {@link #MAX_TAIL_BYTES} always is. Re-merging the base costs its size, so
     * merging only once the tail is a fixed fraction of it keeps the merge work per update constant however
     * long the document grows, while the tail stays a quarter of the document at most.
     */
    static final int MERGE_BATCH = 64;
    static final long MAX_TAIL_BYTES = 1024 * 1024;

    /** What a merge or compaction starts from: the base and the tail at that moment. */
    record Snapshot(byte[] base, List<byte[]> tail) {
        /** The updates to merge, without an empty base. */
        List<byte[]> updates() {
            if (YUpdates.isEmpty(base)) {
                return tail;
            }
            List<byte[]> all = new ArrayList<>(tail.size() + 1);
            all.add(base);
            all.addAll(tail);
            return all;
        }

        boolean isEmpty() {
            return tail.isEmpty() && YUpdates.isEmpty(base);
        }
    }

    private final Object mergeLock = new Object();
    private final List<byte[]> tail = new ArrayList<>();
    private byte[] base = YUpdates.EMPTY;
    private long tailBytes;
    private boolean mergeQueued;
    private byte[] stateVectorOf; // guarded by mergeLock: the base whose state vector is stateVector
    private byte[] stateVector;

    /** The stored updates, as the tail (the first sync answer or the next batch merges them). */
    synchronized void load(List<byte[]> stored) {
        for (byte[] update : stored) {
            tail.add(update);
            tailBytes += update.length;
        }
    }

    /** Adds an update to the tail; true when the caller should queue a background {@link #current} merge. */
    synchronized boolean add(byte[] update) {
        tail.add(update);
        tailBytes += update.length;
        boolean due = tailBytes >= MAX_TAIL_BYTES || (tail.size() >= MERGE_BATCH && tailBytes >= base.length / 4);
        if (mergeQueued || !due) {
            return false;
        }
        mergeQueued = true;
        return true;
    }

    /** The queued merge could not be queued (merger full): the next {@link #add} may queue one again. */
    synchronized void mergeNotQueued() {
        mergeQueued = false;
    }

    synchronized Snapshot snapshot() {
        return new Snapshot(base, List.copyOf(tail));
    }

    /** The whole document as one update, merging the tail into the base first; run it on the merger. */
    byte[] current() {
        synchronized (mergeLock) {
            Snapshot s;
            synchronized (this) {
                mergeQueued = false;
                s = snapshot();
            }
            if (s.tail().isEmpty()) {
                return s.base();
            }
            byte[] merged = YUpdates.merge(s.updates());
            install(s, merged);
            return merged;
        }
    }

    /** The state vector of the whole document (merging first, as {@link #current}); run it on the merger. */
    byte[] stateVector() {
        synchronized (mergeLock) {
            byte[] doc = current();
            if (doc != stateVectorOf) {
                stateVector = YUpdates.stateVector(doc);
                stateVectorOf = doc;
            }
            return stateVector;
        }
    }

    /**
     * Makes {@code merged} (the merge of {@code s}) the base and drops the tail updates it covers, unless another
     * merge or {@link #clear} replaced the base meanwhile.
     */
    synchronized void install(Snapshot s, byte[] merged) {
        if (base != s.base() || tail.size() < s.tail().size()) {
            return;
        }
        for (int i = 0; i < s.tail().size(); i++) {
            if (tail.get(i) != s.tail().get(i)) {
                return;
            }
        }
        for (byte[] covered : s.tail()) {
            tailBytes -= covered.length;
        }
        tail.subList(0, s.tail().size()).clear();
        base = merged;
    }

    synchronized void clear() {
        tail.clear();
        tailBytes = 0;
        base = YUpdates.EMPTY;
    }
}
