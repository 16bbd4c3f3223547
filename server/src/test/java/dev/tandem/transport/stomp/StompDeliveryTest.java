package dev.tandem.transport.stomp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * STOMP deliveries travel through the same outbound lanes as native ones: latest-only channels conflate per
 * subscription, control frames ({@code RECEIPT}, heart-beats) overtake a backlog of publications. A paused
 * client (its socket unread) builds a real backlog in the server's outbound queue.
 */
class StompDeliveryTest {
    static final String FILLER = "x".repeat(4000);
    static final Map<String, String> ROOMY = Map.of(
            "limits.outboundQueueFrames", "100000", "limits.outboundQueueBytes", "67108864",
            "namespaces.cursor.latestOnly", "true");
    static final int TOTAL = 3000;

    @Test
    void aLatestOnlyNamespaceConflatesForAStompSubscriberKeepingTheNewest() {
        try (TestServer server = TestServer.start(ROOMY)) {
            RawStompClient client = pausedSubscriber(server, "/topic/cursor.doc", "cursor:doc");
            publish(server, "cursor:doc");
            client.resume();
            client.expect("CONNECTED");
            long lastSeq = 0;
            int received = 0;
            while (lastSeq < TOTAL) {
                StompFrame message = client.next();
                if (!message.command().equals("MESSAGE")) {
                    continue;
                }
                long seq = Long.parseLong(message.header("tandem-seq"));
                assertThat(seq).isGreaterThan(lastSeq);
                lastSeq = seq;
                received++;
            }
            assertThat(received).isLessThan(TOTAL);
            assertThat(metric(server, "tandem_dropped_frames_total{reason=\"conflated\"}")).isEqualTo(TOTAL - received);
            client.close();
        }
    }

    @Test
    void twoSubscriptionsOfOneConnectionToALatestOnlyChannelEachGetTheNewest() {
        try (TestServer server = TestServer.start(ROOMY)) {
            RawStompClient client = RawStompClient.openPaused(RawStompClient.uri(server, "user=two-views"), "v12.stomp");
            client.send("CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n\0");
            client.frame("SUBSCRIBE", "", "id", "a", "destination", "/topic/cursor.two");
            client.frame("SUBSCRIBE", "", "id", "b", "destination", "/topic/cursor:two");
            awaitSubscribers(server, "cursor:two", 2);
            publish(server, "cursor:two");
            client.resume();
            String lastA = "";
            String lastB = "";
            while (!lastA.equals(Integer.toString(TOTAL)) || !lastB.equals(Integer.toString(TOTAL))) {
                StompFrame frame = client.next();
                if ("a".equals(frame.header("subscription"))) {
                    lastA = frame.header("tandem-seq");
                } else if ("b".equals(frame.header("subscription"))) {
                    lastB = frame.header("tandem-seq");
                }
            }
            client.close();
        }
    }

    @Test
    void aReceiptAndHeartBeatsOvertakeABacklogOfPublications() throws Exception {
        Map<String, String> config = new java.util.HashMap<>(ROOMY);
        config.put("connection.pingInterval", "1s");
        ScheduledExecutorService beats = Executors.newSingleThreadScheduledExecutor();
        try (TestServer server = TestServer.start(config)) {
            RawStompClient client = RawStompClient.openPaused(RawStompClient.uri(server, "user=lagging"), "v12.stomp");
            client.send("CONNECT\naccept-version:1.2\nheart-beat:1000,1000\n\n\0");
            // The client's own heart-beats, so the server (expecting one at least every 2 s) keeps it while paused.
            beats.scheduleAtFixedRate(() -> client.send("\n"), 300, 300, TimeUnit.MILLISECONDS);
            client.frame("SUBSCRIBE", "", "id", "s", "destination", "/topic/room.flood");
            awaitSubscribers(server, "room:flood", 1);
            publish(server, "room:flood");
            client.frame("BEGIN", "", "transaction", "t", "receipt", "overtaking");
            Thread.sleep(3000); // a few of the server's 1 s heart-beats fall due while the backlog is unread
            client.resume();
            client.expect("CONNECTED");
            int before = 0;
            while (true) {
                StompFrame frame = client.next();
                if ("overtaking".equals(frame.header("receipt-id"))) {
                    break;
                }
                assertThat(frame.command()).isEqualTo("MESSAGE");
                before++;
            }
            assertThat(before).as("messages delivered ahead of the receipt").isLessThan(TOTAL);
            int after = 0;
            while (before + after < TOTAL) {
                assertThat(client.expect("MESSAGE").header("tandem-seq")).isEqualTo(Integer.toString(before + after + 1));
                after++;
            }
            assertThat(after).as("the backlog still arrives, in full and in order").isPositive();
            List<Integer> heartBeats = client.heartBeatPositions();
            assertThat(heartBeats).as("heart-beats while paused").isNotEmpty();
            assertThat(heartBeats.get(0)).as("frames received before the first heart-beat").isLessThan(TOTAL);
            client.close();
        } finally {
            beats.shutdownNow();
        }
    }

    /** Connects (CONNECTED stays unread), subscribes to {@code destination} and waits until the hub has it. */
    private static RawStompClient pausedSubscriber(TestServer server, String destination, String channel) {
        RawStompClient client = RawStompClient.openPaused(RawStompClient.uri(server, "user=lagging"), "v12.stomp");
        client.send("CONNECT\naccept-version:1.2\nheart-beat:0,0\n\n\0");
        client.frame("SUBSCRIBE", "", "id", "s", "destination", destination);
        awaitSubscribers(server, channel, 1);
        return client;
    }

    private static void publish(TestServer server, String channel) {
        for (int i = 1; i <= TOTAL; i++) {
            server.server().hub().publish(channel, WsClient.JSON.createObjectNode().put("i", i).put("filler", FILLER), null);
        }
    }

    private static void awaitSubscribers(TestServer server, String channel, int n) {
        await().until(() -> server.server().hub().channels().stream()
                .anyMatch(c -> c.name().equals(channel) && c.subscribers() == n));
    }

    private static long metric(TestServer server, String series) {
        List<String> lines = server.get("/metrics").body().lines().filter(l -> l.startsWith(series + " ")).toList();
        assertThat(lines).as(series).hasSize(1);
        return (long) Double.parseDouble(lines.get(0).substring(series.length() + 1));
    }

}
