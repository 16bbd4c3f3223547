package dev.tandem.session;

import io.netty.buffer.ByteBuf;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The frames waiting to be written to one connection, bounded by a frame count and a byte budget. Any
 * thread may offer (fanout runs on the publisher's thread); only the connection's event loop polls.
 * An offer past either bound is refused: the caller treats the connection as a slow consumer. After
 * {@link #close} every buffer still queued, or offered later, is released, so nothing leaks whichever
 * thread loses the race.
 */
final class OutboundQueue {
    private final ConcurrentLinkedQueue<ByteBuf> frames = new ConcurrentLinkedQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final AtomicLong bytes = new AtomicLong();
    private final int maxFrames;
    private final long maxBytes;
    private volatile boolean closed;

    OutboundQueue(int maxFrames, long maxBytes) {
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
    }

    /** Takes ownership of {@code frame}; false (frame released) when over a bound or closed. */
    boolean offer(ByteBuf frame) {
        if (closed) {
            frame.release();
            return false;
        }
        int size = frame.readableBytes();
        boolean overFrames = count.incrementAndGet() > maxFrames;
        boolean overBytes = bytes.addAndGet(size) > maxBytes;
        if (overFrames || overBytes) {
            count.decrementAndGet();
            bytes.addAndGet(-size);
            frame.release();
            return false;
        }
        frames.add(frame);
        if (closed) {
            releaseAll();
        }
        return true;
    }

    /** The next frame, or null; event loop only. */
    ByteBuf poll() {
        ByteBuf frame = frames.poll();
        if (frame != null) {
            count.decrementAndGet();
            bytes.addAndGet(-frame.readableBytes());
        }
        return frame;
    }

    boolean isEmpty() {
        return frames.isEmpty();
    }

    /** Bytes waiting; approximate while other threads offer. */
    long bytes() {
        return bytes.get();
    }

    /** Closes and releases what is queued; returns how many frames were dropped. */
    int close() {
        closed = true;
        return releaseAll();
    }

    private int releaseAll() {
        int released = 0;
        ByteBuf frame;
        while ((frame = poll()) != null) {
            frame.release();
            released++;
        }
        return released;
    }
}
