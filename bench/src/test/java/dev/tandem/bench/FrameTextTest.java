package dev.tandem.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The generator's in-place reading of frame text: searches at every alignment of the eight-byte scan. */
class FrameTextTest {

    private static FrameText text(String json) {
        return FrameText.of(Unpooled.wrappedBuffer(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aKeyIsFoundAtEveryOffsetAndOnlyWhereItWhollyFits() {
        byte[] stamp = FrameText.ascii("\"t\":");
        byte[] member = FrameText.ascii("{\"id\":\"");
        for (int pad = 0; pad < 20; pad++) {
            String filler = "\"a\":\"xx:[\",".repeat(pad / 10) + "b".repeat(pad % 10);
            FrameText frame = text(filler + "{\"id\":\"u\",\"t\":42}");
            int at = filler.length();
            assertThat(frame.indexOf(member, 0)).as("pad %d", pad).isEqualTo(at);
            assertThat(frame.indexOf(stamp, 0)).as("pad %d", pad).isEqualTo(at + 10);
            assertThat(frame.numberAt(at + 14)).isEqualTo(42);
            assertThat(frame.indexOf(stamp, 0, at + 13)).as("ends past the bound").isEqualTo(-1);
            assertThat(frame.indexOf(stamp, at + 11)).as("starts before from").isEqualTo(-1);
        }
    }

    @Test
    void theLastFieldIsFoundFromTheEndAndAMissingKeyIsMinusOne() {
        FrameText frame = text("{\"type\":\"x\",\"payload\":{\"timestamp\":1},\"timestamp\":1234}");
        int last = frame.lastIndexOf(FrameText.ascii("\"timestamp\":"));
        assertThat(frame.numberAt(last + 12)).isEqualTo(1234);
        assertThat(frame.indexOf(FrameText.ascii("\"joins\":["), 0)).isEqualTo(-1);
        assertThat(frame.lastIndexOf(FrameText.ascii("\"joins\":["))).isEqualTo(-1);
        assertThat(frame.startsWith(FrameText.ascii("{\"type\":\"x\""))).isTrue();
    }
}
