package dev.tandem.session;

import io.netty.channel.EventLoop;
import java.util.concurrent.ConcurrentHashMap;

/** The {@link LoopWriter} of each event loop, created on first use. */
public final class LoopWriters {
    private final ConcurrentHashMap<EventLoop, LoopWriter> writers = new ConcurrentHashMap<>();

    LoopWriter of(EventLoop loop) {
        return writers.computeIfAbsent(loop, LoopWriter::new);
    }
}
