package dev.tandem.transport;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dead-peer detection for long-lived connections: finds the ones that have received nothing for a while with
 * one periodic sweep per event loop, instead of a pipeline handler and a scheduled timer per connection
 * (Netty's {@code IdleStateHandler} costs about 270 bytes of heap per connection, a large share of what an
 * idle connection costs). A connection registers itself from its event loop, notes when it reads, and is asked
 * on every sweep whether it has been silent too long; it answers false once it is gone, and is forgotten.
 * Sweeps run every {@code tick}, so a connection is noticed up to one tick after its deadline.
 */
public final class ReadIdleWatch {
    private static final Logger LOG = LoggerFactory.getLogger(ReadIdleWatch.class);

    /** A watched connection; called on its event loop only. */
    public interface Watched {
        /** Acts on silence as of {@code nowNanos}; returns false once the connection is closed. */
        boolean checkIdle(long nowNanos);
    }

    private final long tickNanos;
    private final ConcurrentHashMap<EventExecutor, LoopSweep> sweeps = new ConcurrentHashMap<>();

    /** A watch whose sweeps run every {@code tick}: a small share of the shortest deadline is a good choice. */
    public ReadIdleWatch(Duration tick) {
        this.tickNanos = Math.max(tick.toNanos(), TimeUnit.MILLISECONDS.toNanos(10));
    }

    /**
     * A tick of an eighth of the interval, at most one second: connections spread their pings over the last
     * quarter of it, which then spans two sweeps or more.
     */
    public static ReadIdleWatch forInterval(Duration interval) {
        return new ReadIdleWatch(Duration.ofMillis(Math.min(1000, Math.max(1, interval.toMillis() / 8))));
    }

    /** Starts watching a connection; call on {@code loop}, the connection's event loop. */
    public void watch(EventLoop loop, Watched connection) {
        sweeps.computeIfAbsent(loop, LoopSweep::new).watched.add(connection);
    }

    /** The connections of one event loop, swept on that loop (so the list needs no lock). */
    private final class LoopSweep implements Runnable {
        private final ArrayList<Watched> watched = new ArrayList<>();

        LoopSweep(EventExecutor loop) {
            loop.scheduleAtFixedRate(this, tickNanos, tickNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void run() {
            long now = System.nanoTime();
            int kept = 0;
            for (int i = 0; i < watched.size(); i++) {
                Watched connection = watched.get(i);
                if (stillWatched(connection, now)) {
                    watched.set(kept++, connection);
                }
            }
            watched.subList(kept, watched.size()).clear();
        }

        private boolean stillWatched(Watched connection, long now) {
            try {
                return connection.checkIdle(now);
            } catch (RuntimeException e) {
                LOG.warn("idle check failed; the connection is no longer watched", e);
                return false;
            }
        }
    }
}
