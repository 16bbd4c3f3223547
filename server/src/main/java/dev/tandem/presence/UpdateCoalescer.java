package dev.tandem.presence;

import dev.tandem.hub.Subscriber;
import io.netty.channel.EventLoop;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Limits awareness traffic to a rate per user per channel, latest state wins. The first update after a quiet
 * period is flushed at once; updates arriving sooner than {@code 1/rate} after the last flush only mark their
 * connection dirty, and one flush is scheduled on the caller's event loop for the moment the interval has passed.
 * Nothing blocks and nothing queues per update: a burst of a thousand cursor moves costs one pending flag and a
 * set of dirty connection ids, and the flush reads the latest state of each.
 */
final class UpdateCoalescer {
    /** Idle slots older than this are dropped by {@link #sweep}; they carry no limit any more. */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

    /** What a flush writes: the dirty connections of one user in one channel, and who sent the last update. */
    interface Flush {
        void run(String channel, String userId, List<String> connectionIds, Subscriber lastSender);
    }

    /** Records an update of {@code connectionId}; flushes now or schedules one flush on {@code loop}. */
    void submit(String channel, String userId, String connectionId, Subscriber sender, long intervalNanos,
                EventLoop loop, Flush flush) {
        Slot slot = slots.computeIfAbsent(channel + '\u0000' + userId, k -> new Slot());
        long wait;
        synchronized (slot) {
            slot.dirty.add(connectionId);
            slot.lastSender = sender;
            if (slot.pending) {
                return;
            }
            long now = System.nanoTime();
            wait = slot.lastFlush + intervalNanos - now;
            if (wait > 0) {
                slot.pending = true;
            }
        }
        if (wait > 0) {
            loop.schedule(() -> drain(slot, channel, userId, flush), wait, TimeUnit.NANOSECONDS);
        } else {
            drain(slot, channel, userId, flush);
        }
    }

    private static void drain(Slot slot, String channel, String userId, Flush flush) {
        List<String> dirty;
        Subscriber sender;
        synchronized (slot) {
            slot.pending = false;
            slot.lastFlush = System.nanoTime();
            dirty = new ArrayList<>(slot.dirty);
            slot.dirty.clear();
            sender = slot.lastSender;
            slot.lastSender = null;
        }
        if (!dirty.isEmpty()) {
            flush.run(channel, userId, dirty, sender);
        }
    }

    /** Drops slots that have been quiet long enough to no longer limit anything. */
    void sweep() {
        long now = System.nanoTime();
        slots.values().removeIf(slot -> {
            synchronized (slot) {
                return !slot.pending && now - slot.lastFlush > IDLE_NANOS;
            }
        });
    }

    private static final class Slot {
        final Set<String> dirty = new LinkedHashSet<>();
        long lastFlush = System.nanoTime() - IDLE_NANOS;
        boolean pending;
        Subscriber lastSender;
    }
}
