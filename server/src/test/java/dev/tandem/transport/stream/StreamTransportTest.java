package dev.tandem.transport.stream;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.RawHttp;
import dev.tandem.testing.StreamTransportClient;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StreamTransportTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("transports.keepAliveInterval", "200ms"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void eachLineIsAFrameWithItsCursorInFront() {
        try (StreamTransportClient client = StreamTransportClient.open(server, "nd", false, null)) {
            RawHttp http = client.http();
            assertThat(http.header("content-type")).startsWith("application/x-ndjson");
            assertThat(http.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(http.header("x-accel-buffering")).isEqualTo("no");
            JsonNode connected = client.connected();
            assertThat(connected.fieldNames().next()).isEqualTo("cursor");
            assertThat(connected.path("cursor").asText())
                    .isEqualTo("1!" + connected.path("payload").path("connectionId").asText() + "!1");
            assertThat(connected.path("timestamp").asLong()).isPositive();
        }
    }

    @Test
    void theCursorQueryParameterResumesLikeLastEventId() throws IOException {
        String cursor;
        try (StreamTransportClient client = StreamTransportClient.open(server, "resume", false, null)) {
            client.connected();
            client.request(command("subscribe").put("channel", "nd:resume"));
            cursor = client.cursor();
        }
        for (int i = 0; i < 3; i++) {
            server.server().hub().publish("nd:resume", WsClient.JSON.createObjectNode().put("n", i), null);
        }
        try (RawHttp http = RawHttp.get(server.port(), "/stream?user=resume&cursor=" + cursor)) {
            assertThat(http.status()).isEqualTo(200);
            assertThat(WsClient.JSON.readTree(http.readLine()).path("type").asText()).isEqualTo("connected");
            JsonNode subscribed = WsClient.JSON.readTree(http.readLine());
            assertThat(subscribed.path("payload").path("recovered").asBoolean()).isTrue();
            for (int seq = 1; seq <= 3; seq++) {
                assertThat(WsClient.JSON.readTree(http.readLine()).path("seq").asLong()).isEqualTo(seq);
            }
        }
    }

    @Test
    void anIdleStreamGetsBlankKeepAliveLines() {
        try (StreamTransportClient client = StreamTransportClient.open(server, "idle", false, null)) {
            client.connected();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> client.keepAlives() >= 2);
        }
    }
}
