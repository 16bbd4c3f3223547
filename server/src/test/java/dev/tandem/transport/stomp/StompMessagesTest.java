package dev.tandem.transport.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StompMessagesTest {
    private static ByteBuf shared(String json) {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        return PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length).writeBytes(bytes);
    }

    @Test
    void everySubscriberOfOnePublicationReusesTheSameEncodingAndTheNextPublicationGetsItsOwn() {
        ByteBuf first = shared("{\"type\":\"publication\",\"channel\":\"chat:a\",\"seq\":7,\"payload\":{\"t\":\"hi\"},\"userId\":\"al\"}");
        ByteBuf second = shared("{\"type\":\"publication\",\"channel\":\"chat:a\",\"seq\":8,\"payload\":\"plain\"}");
        try {
            StompMessages.Converted a = convertDuplicate(first);
            StompMessages.Converted b = convertDuplicate(first);
            assertThat(b).isSameAs(a);
            assertThat(b.plain()).isSameAs(a.plain());
            StompMessages.Converted c = convertDuplicate(second);
            assertThat(c).isNotSameAs(a);
            assertThat(c.messageId()).isEqualTo("chat:a@8");
        } finally {
            first.release();
            second.release();
        }
    }

    @Test
    void duplicatesOfABufferSampledByTheLeakDetectorStillShareOneEncoding() {
        ResourceLeakDetector.Level level = ResourceLeakDetector.getLevel();
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
        ByteBuf sampled;
        try {
            sampled = shared("{\"type\":\"publication\",\"channel\":\"chat:a\",\"seq\":9,\"payload\":\"x\"}");
        } finally {
            ResourceLeakDetector.setLevel(level);
        }
        try {
            assertThat(convertDuplicate(sampled)).isSameAs(convertDuplicate(sampled));
        } finally {
            sampled.release();
        }
    }

    @Test
    void theSharedPartCompletesEachSubscriptionsHeadIntoAValidMessageFrame() {
        ByteBuf source = shared("{\"type\":\"publication\",\"channel\":\"chat:a\",\"seq\":3,\"payload\":{\"t\":\"hi\"},\"userId\":\"al\"}");
        try {
            StompMessages.Converted converted = convertDuplicate(source);
            List<StompFrame> frames = new ArrayList<>();
            StompParser parser = new StompParser(4096);
            byte[] head = "MESSAGE\nsubscription:s-1\ndestination:/topic/chat.a\n".getBytes(StandardCharsets.UTF_8);
            parser.feed(concat(head, converted.withAck()), frames::add);
            StompFrame frame = frames.get(0);
            assertThat(frame.headers()).containsAllEntriesOf(Map.of("subscription", "s-1", "destination", "/topic/chat.a",
                    "message-id", "chat:a@3", "ack", "chat:a@3", "content-type", "application/json",
                    "content-length", "10", "tandem-seq", "3", "tandem-user", "al"));
            assertThat(frame.bodyText()).isEqualTo("{\"t\":\"hi\"}");
            assertThat(new String(converted.plain(), StandardCharsets.UTF_8)).doesNotContain("ack:");
        } finally {
            source.release();
        }
    }

    private static StompMessages.Converted convertDuplicate(ByteBuf source) {
        ByteBuf duplicate = source.retainedDuplicate();
        try {
            return StompMessages.convert(duplicate);
        } finally {
            duplicate.release();
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
