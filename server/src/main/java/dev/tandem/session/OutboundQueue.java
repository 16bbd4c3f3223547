package dev.tandem.session;

import dev.tandem.hub.Delivery;
import io.netty.buffer.ByteBuf;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The frames waiting to be written to one connection, in priority lanes, bounded by a frame count and a byte
 * budget across all lanes. Any thread may offer (fanout runs on the publisher's thread); only the connection's
 * event loop polls.
 *
 * <ul>
 *   <li>Poll takes from the highest non-empty lane, so replies and pongs overtake a backlog of publications;
 *       order within a lane (and so within a channel, which always uses one lane) is kept.</li>
 *   <li>When an offer would pass a bound, queued {@code LOW} frames are dropped first; if that is not enough
 *       the offer is refused and the caller treats the connection as a slow consumer.</li>
 *   <li>A frame with a conflation key supersedes the pending frame with the same key: the older one is
 *       skipped at poll time (latest value wins).</li>
 *   <li>A frame past its expiry is skipped at poll time instead of being delivered late.</li>
 * </ul>
 * After {@link #close} every buffer still queued, or offered later, is released, whichever thread loses the race.
 */
final class OutboundQueue {
    private static final Delivery.Lane[] LANES = Delivery.Lane.values();

    @SuppressWarnings("unchecked")
    private final ConcurrentLinkedQueue<Entry>[] lanes = new ConcurrentLinkedQueue[LANES.length];
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final int maxFrames;
    private final long maxBytes;
    private final DropCounter drops;
    private final LongAdder nodeBytes;
    private volatile ConcurrentHashMap<String, Entry> pendingByKey;
    private volatile boolean closed;

    /** Where dropped frames are counted, by reason. */
    interface DropCounter {
        void dropped(String reason);
    }

    OutboundQueue(int maxFrames, long maxBytes, DropCounter drops) {
        this(maxFrames, maxBytes, drops, new LongAdder());
    }

    /** A queue whose queued bytes also count in {@code nodeBytes}, the node-wide total (load shedding, metrics). */
    OutboundQueue(int maxFrames, long maxBytes, DropCounter drops, LongAdder nodeBytes) {
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
        this.drops = drops;
        this.nodeBytes = nodeBytes;
        for (int i = 0; i < lanes.length; i++) {
            lanes[i] = new ConcurrentLinkedQueue<>();
        }
    }

    /** Takes ownership of {@code frame}; false (frame released) when it cannot fit or the queue is closed. */
    boolean offer(ByteBuf frame, Delivery delivery) {
        if (closed) {
            frame.release();
            return false;
        }
        int size = frame.readableBytes();
        if (!reserve(size)) {
            // Shed low-priority frames, then try once more (the event loop may also have just made room).
            shedLow();
            if (!reserve(size)) {
                frame.release();
                return false;
            }
        }
        Entry entry = new Entry(frame, delivery);
        if (delivery.conflationKey() != null) {
            Entry older = pendingByKey().put(delivery.conflationKey(), entry);
            if (older != null) {
                older.superseded = true;
            }
        }
        lanes[delivery.lane().ordinal()].add(entry);
        if (closed) {
            releaseAll();
        }
        return true;
    }

    /** Whether {@code frames} more frames of {@code size} bytes in all would fit now; approximate under races. */
    boolean hasRoomFor(int frames, long size) {
        return !closed && count.get() + frames <= maxFrames && bytes.get() + size <= maxBytes;
    }

    private boolean reserve(int size) {
        boolean overFrames = count.incrementAndGet() > maxFrames;
        boolean overBytes = bytes.addAndGet(size) > maxBytes;
        if (overFrames || overBytes) {
            count.decrementAndGet();
            bytes.addAndGet(-size);
            return false;
        }
        nodeBytes.add(size);
        return true;
    }

    /** Drops every queued low-priority frame. */
    private void shedLow() {
        Entry entry;
        while ((entry = take(lanes[Delivery.Lane.LOW.ordinal()])) != null) {
            entry.frame.release();
            drops.dropped("low_priority");
        }
    }

    /** The next frame worth sending, highest lane first, or null; event loop only. */
    ByteBuf poll() {
        long now = 0;
        for (ConcurrentLinkedQueue<Entry> lane : lanes) {
            Entry entry;
            while ((entry = take(lane)) != null) {
                if (entry.superseded) {
                    entry.frame.release();
                    drops.dropped("conflated");
                    continue;
                }
                if (entry.delivery.conflationKey() != null) {
                    pendingByKey.remove(entry.delivery.conflationKey(), entry);
                }
                if (entry.delivery.expiresAtMillis() != 0) {
                    now = now == 0 ? System.currentTimeMillis() : now;
                    if (entry.delivery.expired(now)) {
                        entry.frame.release();
                        drops.dropped("expired");
                        continue;
                    }
                }
                return entry.frame;
            }
        }
        return null;
    }

    private Entry take(ConcurrentLinkedQueue<Entry> lane) {
        Entry entry = lane.poll();
        if (entry != null) {
            count.decrementAndGet();
            bytes.addAndGet(-entry.frame.readableBytes());
            nodeBytes.add(-entry.frame.readableBytes());
        }
        return entry;
    }

    boolean isEmpty() {
        for (ConcurrentLinkedQueue<Entry> lane : lanes) {
            if (!lane.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Bytes waiting; approximate while other threads offer. */
    long bytes() {
        return bytes.get();
    }

    /** Closes and releases what is queued; returns how many frames were dropped. */
    int close() {
        closed = true;
        return releaseAll();
    }

    private int releaseAll() {
        int released = 0;
        for (ConcurrentLinkedQueue<Entry> lane : lanes) {
            Entry entry;
            while ((entry = take(lane)) != null) {
                entry.frame.release();
                released++;
            }
        }
        return released;
    }

    private ConcurrentHashMap<String, Entry> pendingByKey() {
        ConcurrentHashMap<String, Entry> map = pendingByKey;
        if (map == null) {
            synchronized (this) {
                map = pendingByKey;
                if (map == null) {
                    map = new ConcurrentHashMap<>();
                    pendingByKey = map;
                }
            }
        }
        return map;
    }

    /** A queued frame; {@code superseded} is set by a newer frame with the same conflation key. */
    private static final class Entry {
        final ByteBuf frame;
        final Delivery delivery;
        volatile boolean superseded;

        Entry(ByteBuf frame, Delivery delivery) {
            this.frame = frame;
            this.delivery = delivery;
        }
    }
}
