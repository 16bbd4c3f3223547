package dev.tandem.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

    @Test
    void aFrameEncodedIntoAPooledBufferReadsBackAsTheFrameWithItsTimestamp() throws Exception {
        ObjectNode frame = FrameCodec.envelope("presence:sync", null, "room:big");
        var users = frame.putObject("payload").putArray("users");
        for (int i = 0; i < 2_000; i++) { // ~100 KB: the buffer grows well past its first size
            users.addObject().put("id", "user-" + i).put("name", "Ünïcode " + i);
        }
        long before = System.currentTimeMillis();

        ByteBuf encoded = FrameCodec.encode(frame, PooledByteBufAllocator.DEFAULT);
        try {
            JsonNode read = FrameCodec.JSON.readTree(encoded.toString(StandardCharsets.UTF_8));
            assertThat(encoded.isDirect()).isTrue();
            assertThat(read.path("payload").path("users")).hasSize(2_000);
            assertThat(read.path("payload").path("users").get(1999).path("name").asText()).isEqualTo("Ünïcode 1999");
            assertThat(read.path("timestamp").asLong()).isBetween(before, System.currentTimeMillis());
            assertThat(read).isEqualTo(FrameCodec.JSON.readTree(
                    FrameCodec.encodeAt(frame, read.path("timestamp").asLong())));
        } finally {
            encoded.release();
        }
    }

    @Test
    void aFrameThatCannotBeSerialisedReleasesItsBuffer() {
        ObjectNode frame = FrameCodec.envelope("event", null, "room:x");
        frame.putPOJO("payload", new Object() {
            @SuppressWarnings("unused")
            public String getValue() {
                throw new IllegalStateException("not serialisable");
            }
        });
        RecordingAllocator recording = new RecordingAllocator();

        assertThatThrownBy(() -> FrameCodec.encode(frame, recording)).isInstanceOf(RuntimeException.class);

        assertThat(recording.handedOut).isNotEmpty().allSatisfy(buffer -> assertThat(buffer.refCnt()).isZero());
    }

    /** Unpooled buffers, each one remembered, to check that none is left unreleased. */
    private static final class RecordingAllocator extends AbstractByteBufAllocator {
        final List<ByteBuf> handedOut = new ArrayList<>();

        RecordingAllocator() {
            super(true);
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            return record(Unpooled.buffer(initialCapacity, maxCapacity));
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            return record(Unpooled.directBuffer(initialCapacity, maxCapacity));
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }

        private ByteBuf record(ByteBuf buffer) {
            handedOut.add(buffer);
            return buffer;
        }
    }
}
