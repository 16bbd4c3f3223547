package dev.tandem.session;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoop;

/**
 * How a session reaches its client: one implementation per wire transport (WebSocket today; SSE, streaming
 * and polling later). Every method but {@link #eventLoop} is called on that event loop.
 */
public interface SessionTransport {
    /** The loop that owns the connection. */
    EventLoop eventLoop();

    /** Short transport name for logs and metrics, e.g. {@code ws}. */
    String name();

    String remoteAddress();

    /** Whether the socket can take more without growing Netty's outbound buffer past its high-water mark. */
    boolean isWritable();

    /**
     * Encodes a native reply or control frame for this wire, or returns null when the wire has no form for it
     * (STOMP answers its clients in its own frames, never in native JSON). Called from any thread. The buffer
     * comes from the pool every connection of the server allocates from.
     */
    default ByteBuf encode(ObjectNode frame) {
        return FrameCodec.encode(frame, PooledByteBufAllocator.DEFAULT);
    }

    /** Writes one encoded JSON frame without flushing; takes ownership of the buffer. */
    void write(ByteBuf frame);

    void flush();

    /** Writes {@code disconnect} (when writable) and closes with {@code code}. */
    void close(CloseCode code, ByteBuf disconnectFrame);
}
