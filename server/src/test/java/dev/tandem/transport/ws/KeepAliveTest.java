package dev.tandem.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.RawWebSocket;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
    void connectionsOpenedTogetherArePingedSpreadOverTheLastQuarterOfTheInterval() throws Exception {
        int count = 32;
        try (TestServer server = TestServer.start(Map.of("connection.pingInterval", "2s"))) {
            List<RawWebSocket> sockets = new ArrayList<>();
            List<Long> openedAt = new ArrayList<>();
            ExecutorService readers = Executors.newFixedThreadPool(count);
            try {
                for (int i = 0; i < count; i++) {
                    sockets.add(RawWebSocket.open(server, "/ws?user=quiet" + i));
                    openedAt.add(System.nanoTime());
                }
                List<Future<Long>> pingedAfter = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    RawWebSocket socket = sockets.get(i);
                    long opened = openedAt.get(i);
                    pingedAfter.add(readers.submit(() -> {
                        assertThat(socket.next(RawWebSocket.PING)).isNotNull();
                        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - opened);
                    }));
                }
                List<Long> millis = new ArrayList<>();
                for (Future<Long> pinged : pingedAfter) {
                    millis.add(pinged.get(10, TimeUnit.SECONDS));
                }
                // Pinged after three quarters of the interval at the soonest, within a sweep after the whole of it.
                assertThat(millis).allSatisfy(ms -> assertThat(ms).isBetween(1_400L, 2_600L));
                // Each connection's ping comes a share of up to a quarter of the interval early, so about half are
                // pinged before seven eighths of it; without the spread none would be, however the sweeps fall.
                assertThat(millis.stream().filter(ms -> ms < 1_850L).count()).isGreaterThanOrEqualTo(count / 8);
            } finally {
                readers.shutdownNow();
                for (RawWebSocket socket : sockets) {
                    socket.close();
                }
            }
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
