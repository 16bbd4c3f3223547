package dev.tandem.transport.ws;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * A WebSocket message sent in fragments, while {@link NativeWebSocketHandler} joins them: the work of Netty's
 * {@code WebSocketFrameAggregator}, done by the endpoint's handler so that /ws connections carry no aggregator
 * (a handler and a pipeline entry on every idle connection). It exists only from a message's first fragment to
 * its last; almost every message is one frame and never makes one. Netty's frame decoder already refuses
 * fragments out of sequence (a continuation with nothing to continue, a new message inside a fragmented one),
 * so this only joins the parts and bounds their total.
 */
final class FragmentedMessage {
    private final CompositeByteBuf parts;
    private final boolean text;

    FragmentedMessage(ByteBufAllocator alloc, WebSocketFrame first) {
        this.parts = alloc.compositeBuffer();
        this.text = first instanceof TextWebSocketFrame;
    }

    /**
     * Appends a fragment's payload (the frame keeps its own reference); false, and nothing appended, when the
     * message would then exceed {@code maxBytes}.
     */
    boolean add(WebSocketFrame fragment, int maxBytes) {
        if (parts.readableBytes() + fragment.content().readableBytes() > maxBytes) {
            return false;
        }
        parts.addComponent(true, fragment.content().retain());
        return true;
    }

    /** Whether the first fragment was a text frame (its continuations carry no type). */
    boolean text() {
        return text;
    }

    /** The payload joined so far; valid until {@link #release()}. */
    CompositeByteBuf content() {
        return parts;
    }

    void release() {
        parts.release();
    }
}
