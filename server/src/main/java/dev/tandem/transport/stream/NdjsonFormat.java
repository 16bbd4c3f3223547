package dev.tandem.transport.stream;

import dev.tandem.transport.oneway.StreamFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * HTTP streaming at {@code /stream}: chunked NDJSON, one frame per line. Each line is the frame with one more
 * member in front, {@code "cursor"}, the resume token right after it; it is spliced in ahead of the frame's
 * first member, so the shared encoded frame is not copied or re-encoded. Keep-alives are blank lines, which
 * NDJSON readers skip.
 */
public final class NdjsonFormat implements StreamFormat {
    public static final String PATH = "/stream";

    private static final byte[] NEWLINE = {'\n'};

    @Override
    public String name() {
        return "stream";
    }

    @Override
    public String contentType() {
        return "application/x-ndjson; charset=utf-8";
    }

    @Override
    public ByteBuf preamble(ByteBufAllocator alloc) {
        return null;
    }

    @Override
    public ByteBuf event(String cursor, ByteBuf frame, ByteBufAllocator alloc) {
        // A server frame is a non-empty JSON object: skip its '{' and put ours, with the cursor, in its place.
        ByteBuf members = frame.skipBytes(1);
        CompositeByteBuf line = alloc.compositeBuffer(3);
        line.addComponent(true, Unpooled.wrappedBuffer(("{\"cursor\":\"" + cursor + "\",").getBytes(StandardCharsets.US_ASCII)));
        line.addComponent(true, members);
        line.addComponent(true, Unpooled.wrappedBuffer(NEWLINE));
        return line;
    }

    @Override
    public ByteBuf keepAlive(ByteBufAllocator alloc) {
        return Unpooled.wrappedBuffer(NEWLINE);
    }
}
