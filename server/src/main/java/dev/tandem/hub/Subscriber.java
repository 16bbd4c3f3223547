package dev.tandem.hub;

import io.netty.buffer.ByteBuf;

/**
 * What the hub delivers to: one connection's outbound path. Both methods are called under the channel's lock,
 * so they must only enqueue; they take ownership of the buffer (release it or pass it on).
 */
public interface Subscriber {
    /** Enqueues an event in the normal lane. */
    void send(ByteBuf frame);

    /** Enqueues a frame with its delivery class (lane, conflation, expiry); implementations may ignore it. */
    default void send(ByteBuf frame, Delivery delivery) {
        send(frame);
    }
}
