package dev.tandem.hub;

import io.netty.buffer.ByteBuf;

/**
 * The identity of a fanout: {@code Channel} encodes a publication once and hands every local subscriber a
 * duplicate of that one buffer, so transports that derive their own bytes from it (STOMP messages, complete
 * WebSocket frames) convert once per publication and cache the result keyed by the buffer all duplicates share.
 * That buffer is found by unwrapping all the way down, because Netty's leak detector wraps the buffers it
 * samples (a sampled duplicate then unwraps to the duplicate, not to the shared buffer).
 */
public final class FanoutBuffers {
    private FanoutBuffers() {
    }

    /**
     * A duplicate of {@code shared} holding one more reference to it, for one subscriber or one write. A plain
     * duplicate, not {@code retainedDuplicate()}: that one comes from Netty's object pool, so each delivery paid a
     * thread-local lookup and a recycle (often on another loop), and the pooled objects' field stores kept G1's
     * refinement threads busy.
     */
    public static ByteBuf share(ByteBuf shared) {
        return shared.retain().duplicate();
    }

    /** The buffer that owns the memory of {@code frame} (itself when it wraps nothing). */
    public static ByteBuf source(ByteBuf frame) {
        ByteBuf source = frame;
        while (source.unwrap() != null) {
            source = source.unwrap();
        }
        return source;
    }
}
