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

    /**
     * Whether {@code frames} more frames of {@code bytes} in all would fit in the outbound path now. A recovery
     * that would not fit is answered {@code recovered: false} instead of overflowing it (which would disconnect
     * the subscriber as a slow consumer, and its reconnect would ask for the same replay again).
     */
    default boolean hasRoomFor(int frames, long bytes) {
        return true;
    }

    /**
     * Who acknowledges for this subscriber in {@code ack: required} channels (their position survives reconnects),
     * or null when it cannot acknowledge (anonymous, or a protocol with acknowledgements of its own).
     */
    default String userId() {
        return null;
    }

    /** The transport this subscriber's connection uses ({@code ws}, {@code sse}, {@code stomp}…), for metrics. */
    default String transportName() {
        return "other";
    }
}
