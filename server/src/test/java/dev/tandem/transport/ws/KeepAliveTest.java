package dev.tandem.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.RawWebSocket;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeepAliveTest {

    @Test
    void aPeerThatGoesSilentIsClosedAfterTwoPingIntervals() throws Exception {
        try (TestServer server = TestServer.start(Map.of("connection.pingInterval", "300ms"));
             RawWebSocket ghost = RawWebSocket.open(server, "/ws?user=ghost")) {
            // Upgraded, then never answers a ping: a client whose network vanished.
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().sessions().size() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().sessions().size() == 0);
        }
    }

    @Test
    void aClientThatAnswersPingsStaysConnected() throws Exception {
        try (TestServer server = TestServer.start(Map.of("connection.pingInterval", "300ms"));
             WsClient client = server.connect("alive")) {
            client.connected();
            Thread.sleep(1500);
            assertThat(client.closed()).isNotDone();
            assertThat(client.request(WsClient.command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }
}
