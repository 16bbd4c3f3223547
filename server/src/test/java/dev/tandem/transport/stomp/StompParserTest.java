package dev.tandem.transport.stomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StompParserTest {
    private final StompParser parser = new StompParser(1024);
    private final List<StompFrame> frames = new ArrayList<>();

    private void feed(String text) {
        parser.feed(text.getBytes(StandardCharsets.UTF_8), frames::add);
    }

    @Test
    void aFrameSplitAtEveryByteIsParsedOnceComplete() {
        String frame = "SEND\r\ndestination:/topic/a\r\n\r\nhello\0";
        for (char c : frame.toCharArray()) {
            assertThat(frames).isEmpty();
            feed(String.valueOf(c));
        }
        assertThat(frames).singleElement().satisfies(f -> {
            assertThat(f.command()).isEqualTo("SEND");
            assertThat(f.header("destination")).isEqualTo("/topic/a");
            assertThat(f.bodyText()).isEqualTo("hello");
        });
        assertThat(parser.isMidFrame()).isFalse();
    }

    @Test
    void severalFramesAndHeartBeatsInOneMessageAreAllParsedInOrder() {
        feed("\n\r\nSEND\ndestination:a\n\none\0\n\nSEND\ndestination:b\n\ntwo\0\nSEND\ndestination:c\n\nthr");
        assertThat(frames).extracting(StompFrame::bodyText).containsExactly("one", "two");
        feed("ee\0\n");
        assertThat(frames).extracting(StompFrame::bodyText).containsExactly("one", "two", "three");
    }

    @Test
    void contentLengthBodiesMayContainNuls() {
        feed("SEND\ndestination:a\ncontent-length:5\n\na\0b\0c\0SEND\ndestination:b\n\nnext\0");
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0).body()).containsExactly('a', 0, 'b', 0, 'c');
        assertThat(frames.get(1).bodyText()).isEqualTo("next");
    }

    @Test
    void headerValuesAreUnescapedAndTheFirstOfARepeatedHeaderWins() {
        feed("SEND\ndestination:/topic/chat\\cgeneral\nx-note:line\\none\\\\two\\rthree\nx-note:second\n\n\0");
        StompFrame frame = frames.get(0);
        assertThat(frame.header("destination")).isEqualTo("/topic/chat:general");
        assertThat(frame.header("x-note")).isEqualTo("line\none\\two\rthree");
    }

    @Test
    void connectHeadersAreNotUnescaped() {
        feed("CONNECT\npasscode:a\\cb\n\n\0");
        assertThat(frames.get(0).header("passcode")).isEqualTo("a\\cb");
    }

    @Test
    void anUndefinedEscapeIsABadRequest() {
        assertThatThrownBy(() -> feed("SEND\ndestination:a\\tb\n\n\0"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("undefined header escape");
    }

    @Test
    void aHeaderLineWithoutAColonIsABadRequest() {
        assertThatThrownBy(() -> feed("SEND\ndestination\n\n\0"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("without 'name:value'");
    }

    @Test
    void aMalformedCommandLineIsABadRequest() {
        assertThatThrownBy(() -> feed("send it\n\n\0"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("malformed command line");
    }

    @Test
    void aContentLengthNotFollowedByNulIsABadRequest() {
        assertThatThrownBy(() -> feed("SEND\ncontent-length:2\n\nabc\0"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("no NUL after the 2 body bytes");
    }

    @Test
    void aNonNumericContentLengthIsABadRequest() {
        assertThatThrownBy(() -> feed("SEND\ncontent-length:two\n\nab\0"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("is not a number");
    }

    @Test
    void aFrameLongerThanTheLimitIsTooLargeEvenBeforeItEnds() {
        feed("SEND\ndestination:a\n\n");
        assertThatThrownBy(() -> feed("x".repeat(1100)))
                .isInstanceOf(ProtocolException.class)
                .satisfies(e -> assertThat(((ProtocolException) e).code()).isEqualTo(ErrorCode.TOO_LARGE));
    }

    @Test
    void headersThatNeverEndAreTooLarge() {
        assertThatThrownBy(() -> feed("SEND\n" + "x-a:b\n".repeat(200)))
                .isInstanceOf(ProtocolException.class);
    }

    @Test
    void escapingRoundTripsThroughTheEncoder() {
        String value = "a:b\\c\nd\re";
        byte[] encoded = StompEncoder.encode(StompFrame.of("MESSAGE", java.util.Map.of("x-value", value)));
        parser.feed(encoded, frames::add);
        assertThat(frames.get(0).header("x-value")).isEqualTo(value);
        assertThat(new String(encoded, StandardCharsets.UTF_8)).contains("x-value:a\\cb\\\\c\\nd\\re\n");
    }
}
