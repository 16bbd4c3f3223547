package dev.tandem.presence;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.hub.Subscriber;
import dev.tandem.protocol.FrameCodec;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Batches a channel's member events ({@code presence:join}, {@code presence:update}, {@code presence:leave}) into
 * one {@code presence:diff} per {@code batchWindow}. One frame per event per subscriber is N × M frames: a mass
 * join of N users under M watchers costs the machine frames, not bytes, so a busy channel sends at most one frame
 * per window, and a quiet one is unchanged.
 *
 * <p>Design. An event of a channel that had no batcher broadcast in the last window goes out at once, as today's
 * single-event frame (excluding its sender), and opens a window. Events inside a window are merged into the
 * channel's pending diff, one entry per user holding the user's net change and latest state (last event a leave:
 * a leave; else any join: a join; else an update), so the diff is bounded by the channel's members. One timer per
 * open window sends the pending diff when the window has passed since the last broadcast (a single user's change
 * as its single-event frame, more as one {@code presence:diff} for every subscriber) and opens the next window;
 * a timer that finds nothing pending closes the window. Another presence broadcast of the channel calls
 * {@link #flush} first, so nothing overtakes a pending diff.
 *
 * <p>Thread-safety: every call runs under the channel's lock in {@link PresenceService}, and the timer takes the
 * same lock, so a channel's windows are never touched by two threads at once and its frames leave in order.
 */
final class MemberEventBatcher {
    /** A timer up to this fraction of a window early sends at once instead of waiting again. */
    private static final long TOLERANCE_DIVISOR = 10;

    /** A member event, by the frame type it goes out as on its own. */
    enum Kind {
        JOIN("presence:join"), UPDATE("presence:update"), LEAVE("presence:leave");

        final String type;

        Kind(String type) {
            this.type = type;
        }
    }

    /** Sends one frame to this node's subscribers of a channel, except {@code exclude} when non-null. */
    interface Broadcast {
        void send(String channel, String type, ObjectNode payload, Subscriber exclude);
    }

    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final Function<String, Object> lockOf;
    private final Broadcast broadcast;
    private final LongSupplier nanoTime;

    /**
     * @param scheduler runs the window timers (short tasks; an event loop will do)
     * @param lockOf    the lock that guards a channel's presence broadcasts
     * @param broadcast sends a frame to the channel's subscribers
     * @param nanoTime  the monotonic clock of the windows ({@code System::nanoTime})
     */
    MemberEventBatcher(ScheduledExecutorService scheduler, Function<String, Object> lockOf, Broadcast broadcast,
                       LongSupplier nanoTime) {
        this.scheduler = scheduler;
        this.lockOf = lockOf;
        this.broadcast = broadcast;
        this.nanoTime = nanoTime;
    }

    /** Sends a member event now, or merges it into the channel's pending diff. Call under the channel's lock. */
    void submit(String channel, String userId, Kind kind, ObjectNode payload, Subscriber exclude, Duration window) {
        if (window.isZero()) {
            broadcast.send(channel, kind.type, payload, exclude);
            return;
        }
        Window open = windows.get(channel);
        if (open != null) {
            open.pending.computeIfAbsent(userId, id -> new NetChange()).add(kind, payload, exclude);
            return;
        }
        broadcast.send(channel, kind.type, payload, exclude);
        Window opened = new Window(window.toNanos(), nanoTime.getAsLong());
        windows.put(channel, opened);
        schedule(channel, opened, opened.lengthNanos);
    }

    /** Sends the channel's pending diff now, before another broadcast. Call under the channel's lock. */
    void flush(String channel) {
        Window open = windows.get(channel);
        if (open != null && !open.pending.isEmpty()) {
            send(channel, open);
        }
    }

    private void schedule(String channel, Window window, long delayNanos) {
        scheduler.schedule(() -> due(channel, window), delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The window's timer: waits out a window that an early {@link #flush} restarted, sends, or closes. */
    private void due(String channel, Window window) {
        synchronized (lockOf.apply(channel)) {
            if (windows.get(channel) != window) {
                return;
            }
            long wait = window.lastSentAt + window.lengthNanos - nanoTime.getAsLong();
            if (wait > window.lengthNanos / TOLERANCE_DIVISOR) {
                schedule(channel, window, wait);
            } else if (window.pending.isEmpty()) {
                windows.remove(channel);
            } else {
                send(channel, window);
                schedule(channel, window, window.lengthNanos);
            }
        }
    }

    private void send(String channel, Window window) {
        if (window.pending.size() == 1) {
            NetChange only = window.pending.values().iterator().next();
            broadcast.send(channel, only.kind.type, only.payload, only.exclude);
        } else {
            broadcast.send(channel, "presence:diff", diff(window.pending), null);
        }
        window.pending.clear();
        window.lastSentAt = nanoTime.getAsLong();
    }

    private static ObjectNode diff(Map<String, NetChange> pending) {
        ObjectNode payload = FrameCodec.JSON.createObjectNode();
        ArrayNode joins = payload.putArray("joins");
        ArrayNode updates = payload.putArray("updates");
        ArrayNode leaves = payload.putArray("leaves");
        for (NetChange change : pending.values()) {
            switch (change.kind) {
                case JOIN -> joins.add(change.payload);
                case UPDATE -> updates.add(change.payload);
                case LEAVE -> leaves.add(change.payload);
            }
        }
        return payload;
    }

    /** An open window of a channel: when it last sent, and the net change of each user since. */
    private static final class Window {
        final long lengthNanos;
        final Map<String, NetChange> pending = new LinkedHashMap<>();
        long lastSentAt;

        Window(long lengthNanos, long lastSentAt) {
            this.lengthNanos = lengthNanos;
            this.lastSentAt = lastSentAt;
        }
    }

    /** One user's events in a window, reduced to the one that tells a client the same thing. */
    private static final class NetChange {
        Kind kind;
        ObjectNode payload;
        Subscriber exclude;
        boolean joined;
        boolean first = true;

        void add(Kind event, ObjectNode latest, Subscriber sender) {
            joined |= event == Kind.JOIN;
            kind = event == Kind.LEAVE ? Kind.LEAVE : joined ? Kind.JOIN : Kind.UPDATE;
            payload = latest;
            // Sent alone, the net change skips its sender only if every event it sums up came from that sender.
            exclude = first || exclude == sender ? sender : null;
            first = false;
        }
    }
}
