package dev.tandem.transport.oneway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CursorTest {

    @Test
    void aCursorSurvivesTheRoundTripThroughItsTextForm() {
        Cursor cursor = new Cursor("c_abc123", 7, List.of(new Cursor.Position("chat:general", 42, "k3x9"),
                new Cursor.Position("entity:Task:1", 0, "e1")));
        String text = cursor.toString();
        assertThat(text).isEqualTo("1!c_abc123!7!chat:general~42~k3x9!entity:Task:1~0~e1");
        assertThat(Cursor.parse(text, 10)).isEqualTo(cursor);
    }

    @Test
    void aClientBuiltCursorNeedsNoSession() {
        Cursor cursor = Cursor.parse("1!!0!chat:a~5~ep", 10);
        assertThat(cursor.sessionId()).isEmpty();
        assertThat(cursor.positions()).containsExactly(new Cursor.Position("chat:a", 5, "ep"));
    }

    @Test
    void noCursorIsNull() {
        assertThat(Cursor.parse(null, 10)).isNull();
        assertThat(Cursor.parse("", 10)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2!c_a!0", "1!c_a", "1!c_a!x", "1!c_a!-1", "1!c_a!0!chat:a~5", "1!c_a!0!chat a~5~e",
            "1!c_a!0!chat:a~-5~e", "1!c_a!0!chat:a~5~", "1!c/a!0", "1!c_a!0!chat:a~5~e!b:c~1~x!d:e~1~x"})
    void aMalformedCursorIsABadRequestThatSaysSo(String text) {
        assertThatThrownBy(() -> Cursor.parse(text, 2))
                .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_REQUEST))
                .hasMessageStartingWith("malformed cursor");
    }
}
