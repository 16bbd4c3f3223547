package dev.tandem.transport.sse;

import dev.tandem.transport.oneway.StreamFormat;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Server-Sent Events at {@code /sse}: each frame is one event, {@code id: CURSOR} then {@code data: FRAME}. A
 * server frame is compact JSON, which never holds a raw line break, so one {@code data:} line always suffices
 * and the shared encoded frame is written as is (a composite buffer, no copy). The stream opens with a
 * {@code retry:} hint; keep-alives are comment lines.
 */
public final class SseFormat implements StreamFormat {
    public static final String PATH = "/sse";

    private static final byte[] DATA = "\ndata: ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEEP_ALIVE = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);

    private final byte[] preamble;

    public SseFormat(Duration retry) {
        this.preamble = ("retry: " + retry.toMillis() + "\n\n").getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String name() {
        return "sse";
    }

    @Override
    public String contentType() {
        return "text/event-stream; charset=utf-8";
    }

    @Override
    public ByteBuf preamble(ByteBufAllocator alloc) {
        return Unpooled.wrappedBuffer(preamble);
    }

    @Override
    public ByteBuf event(String cursor, ByteBuf frame, ByteBufAllocator alloc) {
        CompositeByteBuf event = alloc.compositeBuffer(4);
        event.addComponent(true, Unpooled.wrappedBuffer(("id: " + cursor).getBytes(StandardCharsets.US_ASCII)));
        event.addComponent(true, Unpooled.wrappedBuffer(DATA));
        event.addComponent(true, frame);
        event.addComponent(true, Unpooled.wrappedBuffer(END));
        return event;
    }

    @Override
    public ByteBuf keepAlive(ByteBufAllocator alloc) {
        return Unpooled.wrappedBuffer(KEEP_ALIVE);
    }
}
