package dev.tandem.session;

import dev.tandem.ops.TandemMetrics;
import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link LoopWriter} of each event loop, created on first use. */
public final class LoopWriters {
    private final ConcurrentHashMap<EventLoop, LoopWriter> writers = new ConcurrentHashMap<>();
    private final TandemMetrics metrics;
    private final long flushDelayNanos;

    /** Writers that write a busy connection at most once per {@code flushDelayNanos} (0: at once). */
    LoopWriters(TandemMetrics metrics, long flushDelayNanos) {
        this.metrics = metrics;
        this.flushDelayNanos = flushDelayNanos;
    }

    LoopWriter of(EventLoop loop) {
        return writers.computeIfAbsent(loop, l -> new LoopWriter(l, metrics, flushDelayNanos));
    }
}
