package dev.tandem.transport.ws;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.RawWebSocket;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Input built to hurt the server: deep JSON, huge strings, bytes that are not UTF-8. */
class HostileInputTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void deeplyNestedJsonIsABadRequestAndTheConnectionGoesOn() {
        try (WsClient client = server.connect("nester")) {
            client.connected();
            String deep = "[".repeat(5000) + "]".repeat(5000);
            client.sendText("{\"type\":\"publish\",\"channel\":\"room:deep\",\"payload\":" + deep + "}");
            JsonNode error = client.nextOfType("error");
            assertThat(error.path("payload").path("code").asText()).isEqualTo("bad_request");
            assertThat(error.path("payload").path("message").asText()).contains("nesting depth");
            assertThat(client.request(command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void aHugeStringBeyondTheFrameLimitClosesWith1009AndOthersAreUnaffected() throws Exception {
        try (WsClient attacker = server.connect("huge"); WsClient other = server.connect("calm")) {
            attacker.connected();
            other.connected();
            attacker.sendText("{\"type\":\"publish\",\"channel\":\"room:h\",\"payload\":\"" + "A".repeat(200_000) + "\"}");
            assertThat(attacker.closed().get(10, TimeUnit.SECONDS)).isEqualTo(1009);
            assertThat(other.request(command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void aTextFrameThatIsNotUtf8ClosesThatConnectionOnly() throws Exception {
        try (WsClient other = server.connect("bystander"); RawWebSocket raw = RawWebSocket.open(server, "/ws?user=mangler")) {
            other.connected();
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            payload.write("{\"type\":\"ping\",\"x\":\"".getBytes(StandardCharsets.US_ASCII));
            payload.write(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF});
            payload.write("\"}".getBytes(StandardCharsets.US_ASCII));
            raw.sendText(payload.toByteArray());
            assertThat(raw.closeStatus()).as("a protocol violation").isEqualTo(4008);
            assertThat(other.request(command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }
}
