package dev.tandem.presence;

import dev.tandem.hub.Subscriber;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Limits awareness traffic to a rate per user per channel, latest state wins. The first update after a quiet
 * period is flushed at once; updates arriving sooner than {@code 1/rate} after the last flush only mark their
 * connection dirty, and one flush is scheduled on the caller's event loop for the moment the interval has passed.
 * Nothing blocks and nothing queues per update: a burst of a thousand cursor moves costs one pending flag and a
 * set of dirty connection ids, and the flush reads the latest state of each.
 *
 * <p>Pacing follows an ideal schedule (a virtual scheduling rate limiter): each flush makes the next one due one
 * interval after this one was <em>due</em>, not after it ran, and an update up to a tenth of an interval early is
 * flushed at once. Measuring from the moment a flush ran instead lets every timer's lateness add up: a client
 * sending at exactly the rate then sees each update held a little longer than the one before, until every update
 * waits nearly a whole interval (the 50 ms tail the presence benchmark showed at 20/s).
 */
final class UpdateCoalescer {
    /** Idle slots older than this are dropped by {@link #sweep}; they carry no limit any more. */
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** An update this fraction of an interval early (or less) is not worth a timer: it is flushed at once. */
    private static final long TOLERANCE_DIVISOR = 10;

    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;

    /** Runs a task after a delay without blocking (in the server, the sender's event loop). */
    interface Timer {
        void after(long delayNanos, Runnable task);
    }

    /** @param nanoTime the monotonic clock pacing flushes ({@code System::nanoTime}; tests drive their own) */
    UpdateCoalescer(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** What a flush writes: the dirty connections of one user in one channel, and who sent the last update. */
    interface Flush {
        void run(String channel, String userId, List<String> connectionIds, Subscriber lastSender);
    }

    /** Records an update of {@code connectionId}; flushes now or schedules one flush with {@code timer}. */
    void submit(String channel, String userId, String connectionId, Subscriber sender, long intervalNanos,
                Timer timer, Flush flush) {
        Slot slot = slots.computeIfAbsent(channel + '\u0000' + userId, k -> new Slot(nanoTime.getAsLong() - IDLE_NANOS));
        long wait;
        synchronized (slot) {
            slot.dirty.add(connectionId);
            slot.lastSender = sender;
            if (slot.pending) {
                return;
            }
            long now = nanoTime.getAsLong();
            wait = slot.nextAt - now;
            if (wait > intervalNanos / TOLERANCE_DIVISOR) {
                slot.pending = true;
                slot.nextAt += intervalNanos; // the one after the scheduled flush, counted from when it is due
            } else {
                wait = 0;
                slot.nextAt = Math.max(now, slot.nextAt) + intervalNanos;
            }
        }
        if (wait > 0) {
            timer.after(wait, () -> drain(slot, channel, userId, flush));
        } else {
            drain(slot, channel, userId, flush);
        }
    }

    private static void drain(Slot slot, String channel, String userId, Flush flush) {
        List<String> dirty;
        Subscriber sender;
        synchronized (slot) {
            slot.pending = false;
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
        long now = nanoTime.getAsLong();
        slots.values().removeIf(slot -> {
            synchronized (slot) {
                return !slot.pending && now - slot.nextAt > IDLE_NANOS;
            }
        });
    }

    private static final class Slot {
        final Set<String> dirty = new LinkedHashSet<>();
        /** When the next flush is due (nanoTime); earlier updates wait for it. */
        long nextAt;
        boolean pending;
        Subscriber lastSender;

        Slot(long nextAt) {
            this.nextAt = nextAt;
        }
    }
}
