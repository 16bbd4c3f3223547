package dev.tandem.transport.ws;

import static dev.tandem.testing.RawWebSocket.CONTINUATION;
import static dev.tandem.testing.RawWebSocket.PING;
import static dev.tandem.testing.RawWebSocket.PONG;
import static dev.tandem.testing.RawWebSocket.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.testing.RawWebSocket;
import dev.tandem.testing.TestServer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Messages sent in fragments on /ws, where the endpoint's own handler joins them and checks UTF-8 (no Netty
 * aggregator or validator in the pipeline).
 */
class FragmentedMessageTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int FRAME_LIMIT = 4096;
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("limits.maxFrameBytes", String.valueOf(FRAME_LIMIT)));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aMessageInFragmentsIsHandledAsOneEvenWithACharacterSplitAndAPingBetween() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server, "/ws?user=fragmenter")) {
            assertThat(ws.next(TEXT).text()).contains("\"connected\"");
            byte[] message = "{\"type\":\"ping\",\"requestId\":\"f1\",\"note\":\"café\"}".getBytes(StandardCharsets.UTF_8);
            int split = indexOf(message, (byte) 0xC3) + 1; // between the two bytes of é
            ws.send(false, TEXT, Arrays.copyOfRange(message, 0, split));
            ws.send(true, PING, "mid".getBytes(StandardCharsets.US_ASCII));
            assertThat(ws.next(PONG).text()).isEqualTo("mid");
            ws.send(false, CONTINUATION, Arrays.copyOfRange(message, split, split + 3));
            ws.send(true, CONTINUATION, Arrays.copyOfRange(message, split + 3, message.length));

            JsonNode reply = JSON.readTree(ws.next(TEXT).payload());
            assertThat(reply.path("type").asText()).isEqualTo("pong");
            assertThat(reply.path("requestId").asText()).isEqualTo("f1");
        }
    }

    @Test
    void fragmentsOverTheFrameLimitTogetherCloseWith1009() throws Exception {
        byte[] half = new byte[FRAME_LIMIT / 2 + 1];
        Arrays.fill(half, (byte) 'A');
        try (RawWebSocket ws = RawWebSocket.open(server, "/ws?user=stuffer")) {
            ws.send(false, TEXT, "{\"type\":\"ping\",\"x\":\"".getBytes(StandardCharsets.US_ASCII));
            ws.send(false, CONTINUATION, half);
            ws.send(false, CONTINUATION, half);
            assertThat(ws.closeStatus()).isEqualTo(1009);
        }
    }

    @Test
    void aFragmentedMessageThatIsNotUtf8ClosesWithAProtocolViolation() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server, "/ws?user=garbler")) {
            ws.send(false, TEXT, "{\"type\":\"ping\",\"x\":\"".getBytes(StandardCharsets.US_ASCII));
            ws.send(true, CONTINUATION, new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'}); // a surrogate
            assertThat(ws.closeStatus()).isEqualTo(4008);
        }
    }

    private static int indexOf(byte[] bytes, byte wanted) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == wanted) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
