package dev.tandem.transport.sse;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.CloseCode;
import dev.tandem.testing.RawHttp;
import dev.tandem.testing.StreamTransportClient;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SseTransportTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("transports.keepAliveInterval", "200ms", "transports.sseRetry", "1500ms"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void responseHasHeadersThatStopProxyBufferingAndARetryHint() {
        try (StreamTransportClient client = StreamTransportClient.open(server, "headers", true, null)) {
            RawHttp http = client.http();
            assertThat(http.status()).isEqualTo(200);
            assertThat(http.header("content-type")).startsWith("text/event-stream");
            assertThat(http.header("cache-control")).isEqualTo("no-cache");
            assertThat(http.header("x-accel-buffering")).isEqualTo("no");
            client.connected();
            assertThat(client.retry()).isEqualTo(1500);
        }
    }

    @Test
    void everyEventCarriesACursorNamingTheSessionAndItsPositions() {
        try (StreamTransportClient client = StreamTransportClient.open(server, "ids", true, null)) {
            String session = client.connected().path("payload").path("connectionId").asText();
            assertThat(client.cursor()).isEqualTo("1!" + session + "!1");
            JsonNode subscribed = client.request(command("subscribe").put("channel", "sse:ids"));
            String epoch = subscribed.path("payload").path("epoch").asText();
            assertThat(client.cursor()).isEqualTo("1!" + session + "!2!sse:ids~0~" + epoch);
            server.server().hub().publish("sse:ids", WsClient.JSON.createObjectNode(), null);
            client.nextOfType("publication");
            assertThat(client.cursor()).isEqualTo("1!" + session + "!3!sse:ids~1~" + epoch);
            assertThat(client.request(command("unsubscribe").put("channel", "sse:ids")).path("type").asText())
                    .isEqualTo("unsubscribed");
            assertThat(client.cursor()).isEqualTo("1!" + session + "!4");
        }
    }

    @Test
    void anIdleStreamGetsKeepAliveComments() {
        try (StreamTransportClient client = StreamTransportClient.open(server, "idle", true, null)) {
            client.connected();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> client.keepAlives() >= 2);
        }
    }

    @Test
    void aCursorWithAnOutdatedEpochResubscribesWithRecoveredFalse() {
        server.server().hub().publish("sse:epoch", WsClient.JSON.createObjectNode(), null);
        try (StreamTransportClient client = StreamTransportClient.open(server, "epoch", true, "1!!0!sse:epoch~0~stale")) {
            client.connected();
            JsonNode subscribed = client.nextOfType("subscribed");
            assertThat(subscribed.path("payload").path("recovered").asBoolean()).isFalse();
            assertThat(client.cursor()).endsWith("!sse:epoch~1~" + subscribed.path("payload").path("epoch").asText());
        }
    }

    @Test
    void reconnectingWithACursorClosesTheSessionItCameFrom() {
        try (StreamTransportClient first = StreamTransportClient.open(server, "again", true, null)) {
            String oldSession = first.connected().path("payload").path("connectionId").asText();
            try (StreamTransportClient second = StreamTransportClient.open(server, "again", true, first.cursor())) {
                second.connected();
                JsonNode disconnect = first.nextOfType("disconnect");
                assertThat(disconnect.path("payload").path("code").asInt()).isEqualTo(1000);
                Awaitility.await().atMost(Duration.ofSeconds(10))
                        .until(() -> server.server().sessions().find(oldSession) == null);
            }
        }
    }

    @Test
    void aServerDisconnectIsAnEventThenTheEndOfTheResponse() {
        try (StreamTransportClient client = StreamTransportClient.open(server, "kicked", true, null)) {
            String session = client.connected().path("payload").path("connectionId").asText();
            server.server().sessions().find(session).disconnect(CloseCode.POLICY, "test says so");
            JsonNode disconnect = client.nextOfType("disconnect");
            assertThat(disconnect.path("payload").path("code").asInt()).isEqualTo(4008);
            assertThat(disconnect.path("payload").path("reconnect").asBoolean()).isTrue();
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> server.server().sessions().find(session) == null);
        }
    }

    @Test
    void aMalformedLastEventIdIsABadRequestWithAJsonBody() {
        try (RawHttp http = RawHttp.get(server.port(), "/sse?user=bad", "Last-Event-ID: 1!c_x!zz")) {
            assertThat(http.status()).isEqualTo(400);
            assertThat(http.readBody()).contains("\"code\":\"bad_request\"").contains("malformed cursor");
        }
    }

    @Test
    void postOnTheStreamPathIsNotAllowed() {
        assertThat(server.post("/sse", "{}").statusCode()).isEqualTo(405);
    }
}
