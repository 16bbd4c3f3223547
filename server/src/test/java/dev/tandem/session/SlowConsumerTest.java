package dev.tandem.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SlowConsumerTest {

    @Test
    void aConsumerThatStopsReadingIsCutOffWhileTheOthersReceiveEverything() throws Exception {
        Map<String, String> limits = Map.of("limits.outboundQueueFrames", "256", "limits.outboundQueueBytes", "262144");
        try (TestServer server = TestServer.start(limits);
             WsClient healthy = server.connect("healthy")) {
            WsClient stalled = WsClient.paused(server.ws("user=stalled"));
            stalled.connected();
            // The paused client has taken its one message; the subscribe reply stays unread in its socket.
            stalled.send(WsClient.command("subscribe").put("channel", "room:flood"));
            healthy.subscribe("room:flood");
            await().until(() -> server.server().hub().channels().stream()
                    .anyMatch(c -> c.name().equals("room:flood") && c.subscribers() == 2));

            String filler = "x".repeat(2000);
            int total = 10_000;
            // Publish in steps the healthy reader keeps up with; the stalled one only accumulates.
            for (int seq = 1; seq <= total; seq += 100) {
                for (int i = seq; i < seq + 100; i++) {
                    server.server().hub().publish("room:flood",
                            WsClient.JSON.createObjectNode().put("i", i).put("filler", filler), null);
                }
                for (int i = seq; i < seq + 100; i++) {
                    assertThat(healthy.nextOfType("publication").path("seq").asLong()).isEqualTo(i);
                }
            }

            assertThat(server.server().metrics().slowConsumerDisconnects().count()).isEqualTo(1.0);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.server().sessions().size() == 1);
            stalled.resume();
            assertThat(stalled.closed().get(30, TimeUnit.SECONDS)).isIn(4008, 1006);
            assertThat(server.server().hub().channels()).anySatisfy(c -> {
                assertThat(c.name()).isEqualTo("room:flood");
                assertThat(c.subscribers()).isEqualTo(1);
            });
        }
    }
}
