package dev.tandem.session;

import dev.tandem.ops.TandemMetrics;
import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Groups writes per event loop. A fanout to a thousand subscribers does not submit a thousand tasks: each
 * session with new frames is put once on its loop's dirty list, and one task per loop pass drains every
 * dirty session, writing all its queued frames and flushing it once. Under load a connection therefore gets
 * several frames per write syscall.
 *
 * <p>Each pass also takes the one delivery-latency sample: from the earliest enqueue among the frames it
 * wrote to the end of the pass, an upper bound of every frame's enqueue-to-write time in that pass. One
 * sample per pass, not per frame or connection, keeps the meter off the fanout path.
 */
final class LoopWriter implements Runnable {
    private final EventLoop loop;
    private final ConcurrentLinkedQueue<Session> dirty = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    private final TandemMetrics metrics;

    LoopWriter(EventLoop loop, TandemMetrics metrics) {
        this.loop = loop;
        this.metrics = metrics;
    }

    EventLoop loop() {
        return loop;
    }

    void markDirty(Session session) {
        if (!session.markDirty()) {
            return;
        }
        dirty.add(session);
        if (scheduled.compareAndSet(false, true)) {
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        scheduled.set(false);
        Session session;
        boolean wrote = false;
        long earliest = 0;
        while ((session = dirty.poll()) != null) {
            long since = session.flushPending();
            if (since != 0 && (!wrote || since - earliest < 0)) {
                earliest = since;
                wrote = true;
            }
        }
        if (wrote) {
            metrics.recordDeliveryLatency(System.nanoTime() - earliest);
        }
    }
}
