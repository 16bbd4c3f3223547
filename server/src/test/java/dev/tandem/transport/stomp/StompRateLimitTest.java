package dev.tandem.transport.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * STOMP frames draw on the same per-connection command budget as native commands: a client that keeps
 * flooding is answered with {@code ERROR rate_limited} and closed with 4029, while frames within the budget
 * (and any number of heart-beats) run.
 */
class StompRateLimitTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("limits.commandRate", "5", "limits.commandBurst", "10",
                "limits.floodDisconnectAfter", "20"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aClientThatKeepsFloodingGetsErrorRateLimitedThenClose4029() throws Exception {
        try (RawStompClient client = RawStompClient.connected(server, "flooder")) {
            StringBuilder flood = new StringBuilder();
            for (int i = 0; i < 200; i++) {
                flood.append("SEND\ndestination:/topic/flood.stomp\n\nm").append(i).append('\0');
            }
            client.send(flood.toString());
            List<StompFrame> frames = client.until(f -> f.command().equals("ERROR"));
            StompFrame error = frames.get(frames.size() - 1);
            assertThat(error.header("tandem-code")).isEqualTo("rate_limited");
            assertThat(error.header("message")).contains("flooding");
            assertThat(client.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4029);
            assertThat(server.get("/metrics").body()).containsPattern("tandem_refusals_total\\{reason=\"flooding\"[^\n]* [1-9]");
        }
    }

    @Test
    void framesWithinTheBudgetRunAndHeartBeatsDoNotCount() {
        try (RawStompClient client = RawStompClient.connected(server, "polite")) {
            client.send("\n".repeat(500));
            StringBuilder burst = new StringBuilder();
            for (int i = 0; i < 10; i++) {
                burst.append("SEND\ndestination:/topic/polite.stomp\nreceipt:r").append(i).append("\n\nm").append(i).append('\0');
            }
            client.send(burst.toString());
            for (int i = 0; i < 10; i++) {
                client.receipt("r" + i);
            }
            assertThat(client.closed()).isNotDone();
        }
    }
}
