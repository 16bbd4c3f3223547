package dev.tandem.transport.oneway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.RawHttp;
import dev.tandem.testing.StreamTransportClient;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class FallbackShutdownTest {

    @Test
    void aDrainingServerTellsStreamedAndPollingSessionsToReconnectElsewhere() throws Exception {
        TestServer server = TestServer.start();
        try (StreamTransportClient sse = StreamTransportClient.open(server, "drain-sse", true, null)) {
            sse.connected();
            String cursor;
            try (RawHttp first = RawHttp.get(server.port(), "/poll?user=drain-poll&wait=0")) {
                cursor = WsClient.JSON.readTree(first.readBody()).path("cursor").asText();
            }
            CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(() -> {
                try (RawHttp poll = RawHttp.get(server.port(), "/poll?user=drain-poll&wait=20000&cursor="
                        + URLEncoder.encode(cursor, StandardCharsets.UTF_8))) {
                    return WsClient.JSON.readTree(poll.readBody());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(300);
            server.close();

            JsonNode disconnect = sse.nextOfType("disconnect");
            assertThat(disconnect.path("payload").path("code").asInt()).isEqualTo(1012);
            assertThat(disconnect.path("payload").path("reconnect").asBoolean()).isTrue();
            JsonNode polled = waiting.join();
            assertThat(polled.path("frames")).extracting(f -> f.path("type").asText()).containsExactly("disconnect");
            assertThat(polled.path("frames").get(0).path("payload").path("code").asInt()).isEqualTo(1012);
        }
    }
}
