package dev.tandem.transport.oneway;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * How a long-lived response encodes frames: SSE events or NDJSON lines. Everything else about a streamed session
 * (headers, keep-alive timing, resume, close) is common and lives in {@link ChunkedStreamEndpoint}.
 */
public interface StreamFormat {
    /** Short transport name for logs: {@code sse}, {@code stream}. */
    String name();

    String contentType();

    /** Bytes written once before the first frame, or null. */
    ByteBuf preamble(ByteBufAllocator alloc);

    /** One frame with the cursor that resumes right after it; takes ownership of {@code frame}. */
    ByteBuf event(String cursor, ByteBuf frame, ByteBufAllocator alloc);

    /** What an idle response gets every keep-alive interval, so proxies and the client see it alive. */
    ByteBuf keepAlive(ByteBufAllocator alloc);
}
