package dev.tandem.transport.ws;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.FastThreadLocal;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SharedTextFramesTest {
    private static final ByteBufAllocator POOL = PooledByteBufAllocator.DEFAULT;

    @Test
    void everyDuplicateOfASharedPublicationGetsTheSameCompleteTextFrame() {
        ByteBuf shared = direct("{\"type\":\"publication\",\"seq\":1}");
        ByteBuf first = SharedTextFrames.framed(shared.retainedDuplicate(), POOL);
        ByteBuf second = SharedTextFrames.framed(shared.retainedDuplicate(), POOL);
        assertNotNull(first);
        assertEquals("{\"type\":\"publication\",\"seq\":1}", decode(first));
        assertEquals("{\"type\":\"publication\",\"seq\":1}", decode(second));
        shared.release();
    }

    @Test
    void aBufferNobodyElseHoldsIsLeftToNettysEncoder() {
        ByteBuf reply = direct("{\"type\":\"ack\"}");
        assertNull(SharedTextFrames.framed(reply, POOL));
        assertEquals(1, reply.refCnt());
        reply.release();
        ByteBuf heap = Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8);
        assertNull(SharedTextFrames.framed(heap.retainedDuplicate(), POOL));
    }

    @Test
    void twoSlicesOfOneBufferWithTheSameLengthNeverShareAFrame() {
        ByteBuf shared = direct("aaaabbbb");
        ByteBuf a = SharedTextFrames.framed(shared.retainedSlice(0, 4), POOL);
        ByteBuf b = SharedTextFrames.framed(shared.retainedSlice(4, 4), POOL);
        assertEquals("aaaa", decode(a));
        assertEquals("bbbb", decode(b));
        shared.release();
    }

    @Test
    void lengthsUseTheSevenSixteenAndSixtyFourBitForms() {
        for (int length : new int[] {0, 125, 126, 65535, 65536}) {
            String text = "x".repeat(length);
            ByteBuf frame = SharedTextFrames.encode(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8), POOL);
            assertEquals(text, decode(frame), "length " + length);
        }
    }

    @Test
    void cachedFramesAreReleasedWhenTheirSlotIsReused() {
        ByteBuf first = direct("first");
        ByteBuf framed = SharedTextFrames.framed(first.retainedDuplicate(), POOL);
        decode(framed);
        for (int i = 0; i < SharedTextFrames.SLOTS; i++) {
            ByteBuf other = direct("other " + i);
            decode(SharedTextFrames.framed(other.retainedDuplicate(), POOL));
            other.release();
        }
        assertEquals(1, first.refCnt(), "the cache let go of the evicted publication");
        first.release();
    }

    @Test
    void aStoppingThreadGivesItsCachedFramesBack() throws Exception {
        ByteBuf shared = direct("cached on another thread");
        Thread loop = new FastThreadLocalThread(() -> {
            try {
                decode(SharedTextFrames.framed(shared.retainedDuplicate(), POOL));
            } finally {
                FastThreadLocal.removeAll();
            }
        });
        loop.start();
        loop.join();
        assertEquals(1, shared.refCnt(), "the thread's cache released the publication");
        shared.release();
    }

    private static ByteBuf direct(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return POOL.directBuffer(bytes.length).writeBytes(bytes);
    }

    /** Reads {@code frame} back with Netty's own decoder (as a client would, but accepting unmasked frames). */
    private static String decode(ByteBuf frame) {
        EmbeddedChannel channel =
                new EmbeddedChannel(new WebSocket08FrameDecoder(false, true, 1 << 20));
        channel.writeInbound(frame);
        TextWebSocketFrame text = channel.readInbound();
        try {
            return text.text();
        } finally {
            text.release();
            channel.finishAndReleaseAll();
        }
    }
}
