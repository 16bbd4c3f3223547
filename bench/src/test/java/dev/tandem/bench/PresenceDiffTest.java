package dev.tandem.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.presence.PresenceEntry;
import dev.tandem.presence.UserView;
import dev.tandem.protocol.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bench's reading of {@code presence:diff}, on frames encoded as the server encodes them. */
class PresenceDiffTest {

    private static ObjectNode member(String userId, String stateJson) throws Exception {
        PresenceEntry entry = new PresenceEntry("bench:presence", userId, "c_" + userId,
                FrameCodec.JSON.readTree(stateJson), PresenceEntry.Status.online, 1, 1, 60_000);
        return UserView.of(List.of(entry));
    }

    private static FrameText diff(List<ObjectNode> joins, List<ObjectNode> updates, List<String> leaves) {
        ObjectNode frame = FrameCodec.envelope("presence:diff", null, "bench:presence");
        ObjectNode payload = frame.putObject("payload");
        joins.forEach(payload.putArray("joins")::add);
        updates.forEach(payload.putArray("updates")::add);
        ArrayNode left = payload.putArray("leaves");
        leaves.forEach(id -> left.add(UserView.offline(id, 5)));
        return FrameText.of(Unpooled.wrappedBuffer(FrameCodec.encode(frame)));
    }

    @Test
    void everyMemberIsReadOnceWithTheStampOfItsStateThoughItsConnectionRepeatsIt() throws Exception {
        FrameText frame = diff(List.of(member("b1", "{\"t\":111,\"name\":\"user\"}"), member("b2", "{\"t\":222}"),
                        member("b3", "{\"name\":\"no stamp\"}")),
                List.of(member("b4", "{\"t\":444,\"x\":7}")), List.of("b5", "b6"));
        assertThat(PresenceDiff.is(frame)).isTrue();
        PresenceDiff.Entries entries = PresenceDiff.read(frame, null);
        assertThat(entries.joinStamps()).containsExactly(111, 222, -1);
        assertThat(entries.updateStamps()).containsExactly(444);
        assertThat(entries.leaves()).isEqualTo(2);
    }

    @Test
    void theReadersOwnEntryIsLeftOutButNotAUserWhoseIdStartsTheSame() throws Exception {
        FrameText frame = diff(List.of(), List.of(member("b1", "{\"t\":1}"), member("b12", "{\"t\":12}")), List.of());
        assertThat(PresenceDiff.read(frame, FrameText.ascii("b1")).updateStamps()).containsExactly(12);
        assertThat(PresenceDiff.read(frame, FrameText.ascii("b12")).updateStamps()).containsExactly(1);
    }

    @Test
    void emptyListsReadAsNothingAndOtherFramesAreNotDiffs() {
        PresenceDiff.Entries entries = PresenceDiff.read(diff(List.of(), List.of(), List.of()), null);
        assertThat(entries.joinStamps()).isEmpty();
        assertThat(entries.updateStamps()).isEmpty();
        assertThat(entries.leaves()).isZero();
        assertThat(PresenceDiff.is(FrameText.of(ascii("{\"type\":\"presence:join\",\"payload\":{}}")))).isFalse();
    }

    @Test
    void aFrameInTheMiddleOfABufferIsReadBetweenItsReaderAndWriterIndex() throws Exception {
        ObjectNode frame = FrameCodec.envelope("presence:diff", null, "bench:presence");
        ObjectNode payload = frame.putObject("payload");
        payload.putArray("joins").add(member("b7", "{\"t\":777}"));
        payload.putArray("updates");
        payload.putArray("leaves").add(UserView.offline("b8", 5));
        byte[] encoded = FrameCodec.encode(frame);
        ByteBuf around = ascii("{\"id\":\"x\",\"t\":1}");
        int start = around.writerIndex();
        around.writeBytes(encoded).writeBytes(ascii("{\"id\":\"y\",\"t\":2}"));
        around.setIndex(start, start + encoded.length);

        FrameText text = FrameText.of(around);
        PresenceDiff.Entries entries = PresenceDiff.read(text, null);
        assertThat(PresenceDiff.is(text)).isTrue();
        assertThat(entries.joinStamps()).containsExactly(777);
        assertThat(entries.leaves()).isEqualTo(1);
    }

    private static ByteBuf ascii(String text) {
        return Unpooled.buffer().writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }
}
