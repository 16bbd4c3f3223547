package dev.tandem.session;

import dev.tandem.ops.TandemMetrics;
import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Groups writes per event loop. A fanout to a thousand subscribers does not submit a thousand tasks: each
 * session with new frames is put once on its loop's dirty list, and one task per loop pass drains every
 * dirty session, writing all its queued frames and flushing it once.
 *
 * <p>Write coalescing: every write syscall costs about as much as the frames in it (on loopback it also pays
 * the receiver's kernel work), so a busy connection's frames wait for company. A connection written less than
 * 1.5 × {@code flushDelay} ago counts as busy: its session is held — it stays marked dirty, so further frames
 * neither re-enqueue it nor wake the loop — until its oldest frame has waited the delay, and the loop's one timer
 * then writes everything that arrived meanwhile. The wait is counted from the frame, not from the last write,
 * because at a steady rate of one frame per delay the next frame arrives just as the last write's delay runs
 * out: counted from the write, every frame went out alone; counted from the frame, two share each write. The
 * busy window is wider than the delay so that a rate of one frame per delay still counts as busy when its
 * frames come a little late. A connection quiet for longer is written at once, so low rates get no added
 * latency; a frame waits at most the delay. A session with a reply or other control frame pending is not held
 * (replies are not batched), and a session closing on its loop writes what it holds first. One timer per loop,
 * never one per session. A loop whose passes or timer run a delay or more late holds nothing for a while (see
 * {@link #behind}).
 *
 * <p>Each pass also takes the one delivery-latency sample: from the earliest enqueue among the frames it
 * wrote to the end of the pass, an upper bound of every frame's enqueue-to-write time in that pass. One
 * sample per pass, not per frame or connection, keeps the meter off the fanout path.
 */
final class LoopWriter implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(LoopWriter.class);
    /** How long a loop found starved holds nothing. */
    private static final long BEHIND_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final EventLoop loop;
    private final ConcurrentLinkedQueue<Session> dirty = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    /** When the pending pass was submitted (nanoTime), written by the submitting thread before it submits. */
    private volatile long submittedAt;
    private final TandemMetrics metrics;
    /** The flush delay in {@link Session#ticks()}; 0 writes every dirty session at once. */
    private final int delayTicks;
    /** A connection written less than this many ticks ago is busy: its frames wait for company. */
    private final int busyTicks;
    /** Sessions waiting for their delay to pass; event loop only. */
    private final ArrayDeque<Session> held = new ArrayDeque<>();
    private final Runnable timer = this::onTimer;
    private boolean timerArmed;
    /** When the armed timer should fire (nanoTime); event loop only. */
    private long timerDue;
    /** Until when (nanoTime) the loop counts as starved and holds nothing; event loop only. */
    private long behindUntil = System.nanoTime();
    // The pass's latency sample; event loop only.
    private boolean wrote;
    private long earliest;

    LoopWriter(EventLoop loop, TandemMetrics metrics, long flushDelayNanos) {
        this.loop = loop;
        this.metrics = metrics;
        this.delayTicks = (int) Math.min(Integer.MAX_VALUE / 4, Session.ticksOf(flushDelayNanos));
        this.busyTicks = delayTicks + delayTicks / 2;
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
            if (delayTicks > 0) {
                submittedAt = System.nanoTime();
            }
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        scheduled.set(false);
        int now = Session.ticks();
        boolean hold = delayTicks > 0 && !behind(System.nanoTime(), submittedAt);
        Session session;
        while ((session = dirty.poll()) != null) {
            if (hold && session.wroteWithin(now, busyTicks) && !session.hasControlPending()) {
                held.add(session);
            } else {
                write(session);
            }
        }
        releaseDue(now, !hold);
        endPass();
    }

    private void onTimer() {
        timerArmed = false;
        boolean late = behind(System.nanoTime(), timerDue);
        releaseDue(Session.ticks(), late);
        endPass();
    }

    /**
     * Whether the loop is starved of CPU: this pass or timer, asked for at {@code askedAt}, ran a delay or more
     * late — then, and for {@link #BEHIND_NANOS} after, nothing is held. A starved loop already batches by being
     * behind, and a held session would wait for a timer that is as late, after the loop has given up the CPU it
     * was lucky to get (on an oversubscribed machine that costs far more than the writes saved).
     */
    private boolean behind(long now, long askedAt) {
        if (now - askedAt >= Session.nanosOf(delayTicks)) {
            behindUntil = now + BEHIND_NANOS;
        }
        return now - behindUntil < 0;
    }

    /**
     * Writes the held sessions whose delay is up (or nearly: within an eighth of it, so the timer is not re-armed
     * for a sliver), or {@code all} of them, and arms the timer for the earliest of the rest.
     */
    private void releaseDue(int now, boolean all) {
        int slack = all ? Integer.MAX_VALUE : delayTicks >> 3;
        int nextWait = Integer.MAX_VALUE;
        for (int i = held.size(); i > 0; i--) {
            Session session = held.poll();
            int wait = session.ticksUntilDue(now, delayTicks);
            if (wait <= slack) {
                write(session);
            } else {
                held.add(session);
                nextWait = Math.min(nextWait, wait);
            }
        }
        if (!held.isEmpty() && !timerArmed) {
            timerArmed = true;
            timerDue = System.nanoTime() + Session.nanosOf(nextWait);
            loop.schedule(timer, Session.nanosOf(nextWait), TimeUnit.NANOSECONDS);
        }
    }

    private void write(Session session) {
        long since;
        try {
            since = session.flushPending();
        } catch (RuntimeException e) {
            // Thrown out of the pass, it would strand every session still queued or held behind this one: they
            // stay marked dirty, so no new frame would schedule them again.
            LOG.warn("writing to session {} failed", session.id(), e);
            return;
        }
        if (since != 0 && (!wrote || since - earliest < 0)) {
            earliest = since;
            wrote = true;
        }
    }

    private void endPass() {
        if (wrote) {
            metrics.recordDeliveryLatency(System.nanoTime() - earliest);
            wrote = false;
        }
    }
}
