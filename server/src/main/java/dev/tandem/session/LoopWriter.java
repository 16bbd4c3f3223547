package dev.tandem.session;

import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Groups writes per event loop. A fanout to a thousand subscribers does not submit a thousand tasks: each
 * session with new frames is put once on its loop's dirty list, and one task per loop pass drains every
 * dirty session, writing all its queued frames and flushing it once. Under load a connection therefore gets
 * several frames per write syscall.
 */
final class LoopWriter implements Runnable {
    private final EventLoop loop;
    private final ConcurrentLinkedQueue<Session> dirty = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    LoopWriter(EventLoop loop) {
        this.loop = loop;
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
        while ((session = dirty.poll()) != null) {
            session.flushPending();
        }
    }
}
