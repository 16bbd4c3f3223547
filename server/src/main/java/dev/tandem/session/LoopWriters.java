package dev.tandem.session;

import dev.tandem.ops.TandemMetrics;
import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link LoopWriter} of each event loop, created on first use. */
public final class LoopWriters {
    private final ConcurrentHashMap<EventLoop, LoopWriter> writers = new ConcurrentHashMap<>();
    private final TandemMetrics metrics;

    LoopWriters(TandemMetrics metrics) {
        this.metrics = metrics;
    }

    LoopWriter of(EventLoop loop) {
        return writers.computeIfAbsent(loop, l -> new LoopWriter(l, metrics));
    }
}
