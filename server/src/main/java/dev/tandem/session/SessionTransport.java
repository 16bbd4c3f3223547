package dev.tandem.session;

import dev.tandem.protocol.CloseCode;
import io.netty.buffer.ByteBuf;
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

    /** Writes one encoded JSON frame without flushing; takes ownership of the buffer. */
    void write(ByteBuf frame);

    void flush();

    /** Writes {@code disconnect} (when writable) and closes with {@code code}. */
    void close(CloseCode code, ByteBuf disconnectFrame);
}
