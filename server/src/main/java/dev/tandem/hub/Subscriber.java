package dev.tandem.hub;

import io.netty.buffer.ByteBuf;

/**
 * What the hub delivers to: one connection's outbound path. {@link #send} is called under the channel's
 * lock, so it must only enqueue; it takes ownership of the buffer (releases it or passes it on).
 */
public interface Subscriber {
    void send(ByteBuf frame);
}
