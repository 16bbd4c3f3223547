package dev.tandem.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Priority lanes, conflation, expiry and admission: what a connection gets when it falls behind or the node
 * is full. A paused client (its socket unread) builds a real backlog in the server's outbound queue.
 */
class DeliveryQualityTest {
    static final String FILLER = "x".repeat(4000);
    static final Map<String, String> ROOMY = Map.of(
            "limits.outboundQueueFrames", "100000", "limits.outboundQueueBytes", "67108864",
            "namespaces.cursor.latestOnly", "true",
            "namespaces.metrics.priority", "low");

    @Test
    void aPongOvertakesABacklogOfPublications() {
        try (TestServer server = TestServer.start(ROOMY)) {
            WsClient client = pausedSubscriber(server, "room:flood");
            int total = 3000;
            for (int i = 1; i <= total; i++) {
                server.server().hub().publish("room:flood", payload(i), null);
            }
            String pingId = client.send(WsClient.command("ping"));
            client.resume();
            int before = 0;
            while (true) {
                JsonNode frame = client.next(f -> true, "pong");
                if ("pong".equals(frame.path("type").asText())) {
                    assertThat(frame.path("requestId").asText()).isEqualTo(pingId);
                    break;
                }
                before++;
            }
            assertThat(before).as("publications delivered ahead of the pong").isLessThan(total);
            int after = 0;
            while (before + after < total) {
                client.nextOfType("publication");
                after++;
            }
            assertThat(after).as("the backlog still arrives, in full").isPositive();
            client.close();
        }
    }

    @Test
    void whilePublicationsFloodAConnectionItsPongsKeepArrivingWithinThePingInterval() throws Exception {
        Map<String, String> config = new HashMap<>(ROOMY);
        config.put("connection.pingInterval", "5s");
        try (TestServer server = TestServer.start(config); WsClient client = server.connect("flooded")) {
            client.subscribe("room:torrent");
            AtomicBoolean flooding = new AtomicBoolean(true);
            Thread publisher = new Thread(() -> { // bursts of 500 every 10 ms: ~50,000 publications a second
                for (int i = 0; flooding.get(); i++) {
                    server.server().hub().publish("room:torrent", WsClient.JSON.createObjectNode().put("i", i), null);
                    if (i % 500 == 0) {
                        LockSupport.parkNanos(10_000_000);
                    }
                }
            }, "flood");
            publisher.start();
            try {
                for (int i = 0; i < 20; i++) {
                    long start = System.nanoTime();
                    assertThat(client.request(WsClient.command("ping")).path("type").asText()).isEqualTo("pong");
                    assertThat(Duration.ofNanos(System.nanoTime() - start)).as("pong %d under the flood", i)
                            .isLessThan(Duration.ofSeconds(5));
                    Thread.sleep(100);
                }
            } finally {
                flooding.set(false);
                publisher.join();
            }
            assertThat(client.closed()).as("not cut off as a slow consumer").isNotDone();
        }
    }

    @Test
    void aLatestOnlyChannelDeliversTheNewestStateAndSkipsSupersededOnes() {
        try (TestServer server = TestServer.start(ROOMY)) {
            WsClient client = WsClient.paused(server.ws("user=viewer"));
            client.connected();
            client.send(WsClient.command("subscribe").put("channel", "cursor:doc"));
            awaitSubscribers(server, "cursor:doc", 1);
            int total = 3000;
            for (int i = 1; i <= total; i++) {
                server.server().hub().publish("cursor:doc", payload(i), null);
            }
            client.resume();
            JsonNode subscribed = client.nextOfType("subscribed");
            assertThat(subscribed.path("payload").path("latestOnly").asBoolean()).isTrue();
            long lastSeq = 0;
            int received = 0;
            while (lastSeq < total) {
                JsonNode publication = client.nextOfType("publication");
                assertThat(publication.path("seq").asLong()).isGreaterThan(lastSeq);
                lastSeq = publication.path("seq").asLong();
                received++;
            }
            assertThat(received).isLessThan(total);
            assertThat(metric(server, "tandem_dropped_frames_total{reason=\"conflated\"}")).isEqualTo(total - received);
            client.close();
        }
    }

    @Test
    void publicationsStillQueuedPastTheirTtlAreDroppedNotDeliveredLate() throws Exception {
        try (TestServer server = TestServer.start(ROOMY)) {
            WsClient client = pausedSubscriber(server, "room:news");
            int total = 3000;
            for (int i = 1; i <= total; i++) {
                server.server().hub().publish("room:news", payload(i), null, 100);
            }
            Thread.sleep(400);
            client.resume();
            int received = 0;
            JsonNode frame;
            while ((frame = client.poll(Duration.ofMillis(500))) != null) {
                received += "publication".equals(frame.path("type").asText()) ? 1 : 0;
            }
            assertThat(received).isLessThan(total);
            assertThat(metric(server, "tandem_dropped_frames_total{reason=\"expired\"}")).isEqualTo(total - received);
            assertThat(client.request(WsClient.command("ping")).path("type").asText()).isEqualTo("pong");
            client.close();
        }
    }

    @Test
    void lowPriorityPublicationsAreShedBeforeTheConnectionIsCutOff() {
        Map<String, String> tight = Map.of("limits.outboundQueueFrames", "64", "limits.outboundQueueBytes", "65536",
                "namespaces.metrics.priority", "low");
        try (TestServer server = TestServer.start(tight)) {
            WsClient client = pausedSubscriber(server, "metrics:cpu");
            for (int i = 1; i <= 3000; i++) {
                server.server().hub().publish("metrics:cpu", payload(i), null);
            }
            assertThat(server.server().metrics().slowConsumerDisconnects().count()).isZero();
            assertThat(metric(server, "tandem_dropped_frames_total{reason=\"low_priority\"}")).isPositive();
            client.resume();
            assertThat(client.request(WsClient.command("ping")).path("type").asText()).isEqualTo("pong");
            assertThat(client.closed()).isNotDone();
            client.close();
        }
    }

    @Test
    void aNodeAtItsConnectionCapRefusesTheNextClientsWith1013AndARetryHintWhileExistingClientsKeepTheirLatency()
            throws Exception {
        try (TestServer server = TestServer.start(Map.of("limits.maxConnections", "2"));
             WsClient first = server.connect("a");
             WsClient second = server.connect("b")) {
            first.connected();
            second.connected();
            WsClient third = server.connect("c");
            JsonNode disconnect = third.nextOfType("disconnect");
            assertThat(disconnect.path("payload").path("code").asInt()).isEqualTo(1013);
            assertThat(disconnect.path("payload").path("reconnect").asBoolean()).isTrue();
            assertThat(disconnect.path("payload").path("retryAfter").asLong()).isEqualTo(2000);
            assertThat(third.closed().get(10, TimeUnit.SECONDS)).isEqualTo(1013);
            assertThat(server.server().metrics().refusedConnections().count()).isEqualTo(1.0);
            HttpResponse<String> overHttp = server.get("/poll?user=d&wait=0");
            assertThat(overHttp.statusCode()).isEqualTo(503);
            assertThat(overHttp.headers().firstValue("Retry-After")).hasValue("2");

            List<Long> pingMillis = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                if (i % 10 == 0) {
                    try (WsClient refused = server.connect("late" + i)) {
                        assertThat(refused.closed().get(10, TimeUnit.SECONDS)).isEqualTo(1013);
                    }
                }
                long start = System.nanoTime();
                assertThat(first.request(WsClient.command("ping")).path("type").asText()).isEqualTo("pong");
                pingMillis.add((System.nanoTime() - start) / 1_000_000);
            }
            Collections.sort(pingMillis);
            assertThat(pingMillis.get(197)).as("p99 ping of an existing client while newcomers are refused (ms)")
                    .isLessThan(500);
        }
    }

    private static WsClient pausedSubscriber(TestServer server, String channel) {
        WsClient client = WsClient.paused(server.ws("user=lagging"));
        client.connected();
        client.send(WsClient.command("subscribe").put("channel", channel));
        awaitSubscribers(server, channel, 1);
        return client;
    }

    private static void awaitSubscribers(TestServer server, String channel, int n) {
        await().until(() -> server.server().hub().channels().stream()
                .anyMatch(c -> c.name().equals(channel) && c.subscribers() == n));
    }

    private static JsonNode payload(int i) {
        return WsClient.JSON.createObjectNode().put("i", i).put("filler", FILLER);
    }

    private static long metric(TestServer server, String series) {
        List<String> lines = server.get("/metrics").body().lines().filter(l -> l.startsWith(series + " ")).toList();
        assertThat(lines).as(series).hasSize(1);
        return (long) Double.parseDouble(lines.get(0).substring(series.length() + 1));
    }
}
