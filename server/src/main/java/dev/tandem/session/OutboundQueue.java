package dev.tandem.session;

import dev.tandem.hub.Delivery;
import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
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
 * <p>
 * There is one queue per idle connection, so its footprint counts: a lane is created on its first frame and the
 * counters are plain fields updated through static field updaters rather than atomic objects of their own.
 */
final class OutboundQueue {
    private static final Delivery.Lane[] LANES = Delivery.Lane.values();

    private static final VarHandle LANE = MethodHandles.arrayElementVarHandle(ConcurrentLinkedQueue[].class);
    private static final AtomicIntegerFieldUpdater<OutboundQueue> COUNT =
            AtomicIntegerFieldUpdater.newUpdater(OutboundQueue.class, "count");
    private static final AtomicLongFieldUpdater<OutboundQueue> BYTES =
            AtomicLongFieldUpdater.newUpdater(OutboundQueue.class, "bytes");

    /** Indexed by lane ordinal; an element stays null until that lane's first frame. */
    @SuppressWarnings("unchecked")
    private final ConcurrentLinkedQueue<Entry>[] lanes = new ConcurrentLinkedQueue[LANES.length];
    private volatile int count;
    private volatile long bytes;
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
        lane(delivery.lane().ordinal()).add(entry);
        if (closed) {
            releaseAll();
        }
        return true;
    }

    /** The lane, or null when it has never held a frame. */
    @SuppressWarnings("unchecked")
    private ConcurrentLinkedQueue<Entry> existingLane(int ordinal) {
        return (ConcurrentLinkedQueue<Entry>) LANE.getVolatile(lanes, ordinal);
    }

    /** The lane, created on first use by whichever offering thread gets there first. */
    @SuppressWarnings("unchecked")
    private ConcurrentLinkedQueue<Entry> lane(int ordinal) {
        ConcurrentLinkedQueue<Entry> lane = existingLane(ordinal);
        if (lane != null) {
            return lane;
        }
        ConcurrentLinkedQueue<Entry> created = new ConcurrentLinkedQueue<>();
        Object winner = LANE.compareAndExchange(lanes, ordinal, null, created);
        return winner == null ? created : (ConcurrentLinkedQueue<Entry>) winner;
    }

    /** Whether {@code frames} more frames of {@code size} bytes in all would fit now; approximate under races. */
    boolean hasRoomFor(int frames, long size) {
        return !closed && count + frames <= maxFrames && bytes + size <= maxBytes;
    }

    private boolean reserve(int size) {
        boolean overFrames = COUNT.incrementAndGet(this) > maxFrames;
        boolean overBytes = BYTES.addAndGet(this, size) > maxBytes;
        if (overFrames || overBytes) {
            COUNT.decrementAndGet(this);
            BYTES.addAndGet(this, -size);
            return false;
        }
        nodeBytes.add(size);
        return true;
    }

    /** Drops every queued low-priority frame. */
    private void shedLow() {
        Entry entry;
        while ((entry = take(existingLane(Delivery.Lane.LOW.ordinal()))) != null) {
            entry.frame.release();
            drops.dropped("low_priority");
        }
    }

    /** The next frame worth sending, highest lane first, or null; event loop only. */
    ByteBuf poll() {
        long now = 0;
        for (int i = 0; i < LANES.length; i++) {
            ConcurrentLinkedQueue<Entry> lane = existingLane(i);
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

    /** Takes the head of a lane (null when the lane is empty or not yet created) and un-counts it. */
    private Entry take(ConcurrentLinkedQueue<Entry> lane) {
        Entry entry = lane == null ? null : lane.poll();
        if (entry != null) {
            COUNT.decrementAndGet(this);
            BYTES.addAndGet(this, -entry.frame.readableBytes());
            nodeBytes.add(-entry.frame.readableBytes());
        }
        return entry;
    }

    /** Whether a control frame (a reply, an error, a pong) is waiting. */
    boolean hasControl() {
        ConcurrentLinkedQueue<Entry> lane = existingLane(Delivery.Lane.CONTROL.ordinal());
        return lane != null && !lane.isEmpty();
    }

    boolean isEmpty() {
        for (int i = 0; i < LANES.length; i++) {
            ConcurrentLinkedQueue<Entry> lane = existingLane(i);
            if (lane != null && !lane.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** Bytes waiting; approximate while other threads offer. */
    long bytes() {
        return bytes;
    }

    /** Closes and releases what is queued; returns how many frames were dropped. */
    int close() {
        closed = true;
        return releaseAll();
    }

    private int releaseAll() {
        int released = 0;
        for (int i = 0; i < LANES.length; i++) {
            ConcurrentLinkedQueue<Entry> lane = existingLane(i);
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
