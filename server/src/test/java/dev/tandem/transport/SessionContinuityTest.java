package dev.tandem.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.RawHttp;
import dev.tandem.testing.StreamTransportClient;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A client that switches between WebSocket, SSE and polling keeps its place: positions learnt on one transport resume
 * every subscription, with recovery, on the other (docs/transports.md, "Switching transports").
 */
class SessionContinuityTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void publish(String channel, int count) {
        for (int i = 0; i < count; i++) {
            server.server().hub().publish(channel, WsClient.JSON.createObjectNode().put("n", i), null);
        }
    }

    @Test
    void aWebSocketClientMovesToSseAndMissesNothing() {
        String a = "cont:ws-a";
        String b = "cont:ws-b";
        List<Long> seen = new ArrayList<>();
        String cursor;
        try (WsClient ws = server.connect("mover")) {
            ws.connected();
            String epochA = ws.subscribe(a).path("payload").path("epoch").asText();
            String epochB = ws.subscribe(b).path("payload").path("epoch").asText();
            publish(a, 10);
            for (int i = 0; i < 10; i++) {
                seen.add(ws.nextOfType("publication").path("seq").asLong());
            }
            // The client builds the cursor from what it learnt over WebSocket: 1!!0!{channel}~{seq}~{epoch}...
            cursor = "1!!0!" + a + "~" + seen.get(seen.size() - 1) + "~" + epochA + "!" + b + "~0~" + epochB;
            ws.abort();
        }
        publish(a, 5);
        publish(b, 2);
        try (StreamTransportClient sse = StreamTransportClient.open(server, "mover", true, cursor)) {
            sse.connected();
            assertThat(sse.nextOfType("subscribed").path("payload").path("recovered").asBoolean()).isTrue();
            assertThat(sse.nextOfType("subscribed").path("payload").path("recovered").asBoolean()).isTrue();
            List<JsonNode> publications = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                publications.add(sse.nextOfType("publication"));
            }
            publications.stream().filter(p -> a.equals(p.path("channel").asText()))
                    .forEach(p -> seen.add(p.path("seq").asLong()));
            assertThat(seen).containsExactlyElementsOf(LongStream.rangeClosed(1, 15).boxed().toList());
            assertThat(publications).filteredOn(p -> b.equals(p.path("channel").asText()))
                    .extracting(p -> p.path("seq").asLong()).containsExactly(1L, 2L);
        }
    }

    @Test
    void anSseClientMovesBackToWebSocketAndMissesNothing() {
        String channel = "cont:sse";
        String cursor;
        try (StreamTransportClient sse = StreamTransportClient.open(server, "returner", true, null)) {
            sse.connected();
            sse.request(WsClient.command("subscribe").put("channel", channel));
            publish(channel, 10);
            for (int i = 0; i < 10; i++) {
                sse.nextOfType("publication");
            }
            cursor = sse.cursor();
            sse.drop();
        }
        publish(channel, 5);
        // The client reads its position back out of the last SSE id: ...!{channel}~{seq}~{epoch}
        String[] position = cursor.substring(cursor.indexOf("!" + channel + "~") + 1).split("~");
        assertThat(position[1]).isEqualTo("10");
        try (WsClient ws = server.connect("returner")) {
            ws.connected();
            JsonNode subscribed = ws.subscribe(channel, Long.parseLong(position[1]), position[2]);
            assertThat(subscribed.path("payload").path("recovered").asBoolean()).isTrue();
            for (long seq = 11; seq <= 15; seq++) {
                assertThat(ws.nextOfType("publication").path("seq").asLong()).isEqualTo(seq);
            }
        }
    }

    @Test
    void anSseClientFallsBackToPollingWithItsCursorAndTheStreamIsSuperseded() throws Exception {
        String channel = "cont:poll";
        try (StreamTransportClient sse = StreamTransportClient.open(server, "faller", true, null)) {
            String sseSession = sse.connected().path("payload").path("connectionId").asText();
            sse.request(WsClient.command("subscribe").put("channel", channel));
            publish(channel, 3);
            for (int i = 0; i < 3; i++) {
                sse.nextOfType("publication");
            }
            String cursor = sse.cursor();
            publish(channel, 2);
            try (RawHttp poll = RawHttp.get(server.port(), "/poll?user=faller&wait=0&cursor="
                    + URLEncoder.encode(cursor, StandardCharsets.UTF_8))) {
                JsonNode response = WsClient.JSON.readTree(poll.readBody());
                List<JsonNode> frames = new ArrayList<>();
                response.path("frames").forEach(frames::add);
                assertThat(frames).extracting(f -> f.path("type").asText())
                        .containsExactly("connected", "subscribed", "publication", "publication");
                assertThat(frames).filteredOn(f -> f.has("seq")).extracting(f -> f.path("seq").asLong())
                        .containsExactly(4L, 5L);
            }
            assertThat(sse.nextOfType("disconnect").path("payload").path("reason").asText()).contains("resumed");
            Awaitility.await().atMost(Duration.ofSeconds(10))
                    .until(() -> server.server().sessions().find(sseSession) == null);
        }
    }
}
