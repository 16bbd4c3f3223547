package dev.tandem.cluster;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.testing.ServerProcess;
import dev.tandem.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Restarts the Redis a two-node cluster runs on (a {@link PrivateRedis}, so the shared one other tests use is
 * never touched): while it is down the nodes report not ready and keep serving their own
 * subscribers; once it is back they resubscribe, fill what the other node missed, and sequence on.
 */
class RedisRestartTest {
    private static final String DURABLE = "chat:outage";
    private static final String MEMORY = "room:outage";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Map<WsClient, Map<String, Deque<JsonNode>>> INBOXES = new ConcurrentHashMap<>();

    @Test
    void nodesReportNotReadyDuringARedisOutageKeepServingLocallyAndFillTheGapAfterwards() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start(); ClusterNodes cluster = ClusterNodes.start(redis.url(), 2)) {
            ServerProcess a = cluster.node(0);
            ServerProcess b = cluster.node(1);
            try (WsClient publisher = WsClient.connect(a.ws("user=p"));
                 WsClient onA = WsClient.connect(a.ws("user=sa"));
                 WsClient onB = WsClient.connect(b.ws("user=sb"))) {
                for (WsClient subscriber : List.of(onA, onB)) {
                    subscriber.subscribe(DURABLE);
                    subscriber.subscribe(MEMORY);
                }
                for (int i = 1; i <= 5; i++) {
                    publisher.request(publish(DURABLE, "d" + i));
                    publisher.request(publish(MEMORY, "m" + i));
                }
                for (WsClient subscriber : List.of(onA, onB)) {
                    assertThat(publications(subscriber, DURABLE, 1, 5)).containsExactly("d1", "d2", "d3", "d4", "d5");
                    assertThat(publications(subscriber, MEMORY, 1, 5)).containsExactly("m1", "m2", "m3", "m4", "m5");
                }

                redis.stop();
                await().atMost(Duration.ofSeconds(20)).until(() -> readyStatus(a) == 503 && readyStatus(b) == 503);
                assertThat(readyBody(a)).contains("redis");
                JsonNode refused = publisher.request(publish(MEMORY, "m-lost"));
                assertThat(refused.path("type").asText()).isEqualTo("error");
                assertThat(refused.path("payload").path("code").asText()).isEqualTo("unavailable");
                for (int i = 6; i <= 10; i++) {
                    assertThat(publisher.request(publish(DURABLE, "d" + i)).path("type").asText()).isEqualTo("ack");
                }
                assertThat(publications(onA, DURABLE, 6, 5)).as("local subscribers are still served")
                        .containsExactly("d6", "d7", "d8", "d9", "d10");

                redis.restart();
                await().atMost(Duration.ofSeconds(30)).until(() -> readyStatus(a) == 200 && readyStatus(b) == 200);
                assertThat(publications(onB, DURABLE, 6, 5)).as("the other node fills what it missed")
                        .containsExactly("d6", "d7", "d8", "d9", "d10");
                assertThat(publisher.request(publish(MEMORY, "m6")).path("payload").path("seq").asLong())
                        .as("sequencing continues where it was").isEqualTo(6);
                for (WsClient subscriber : List.of(onA, onB)) {
                    assertThat(publications(subscriber, MEMORY, 6, 1)).containsExactly("m6");
                }
            }
        }
    }

    private static int readyStatus(ServerProcess node) throws Exception {
        return ready(node).statusCode();
    }

    private static String readyBody(ServerProcess node) throws Exception {
        return ready(node).body();
    }

    private static HttpResponse<String> ready(ServerProcess node) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/health/ready")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode publish(String channel, String message) {
        ObjectNode publish = command("publish").put("channel", channel);
        publish.putObject("payload").put("m", message);
        return publish;
    }

    /**
     * The next {@code count} publications on {@code channel}, checking their seqs run from {@code from}; frames of
     * other channels that arrive meanwhile are kept for later calls, not dropped.
     */
    private static List<String> publications(WsClient client, String channel, long from, int count) {
        List<String> messages = new ArrayList<>();
        Map<String, Deque<JsonNode>> inbox = INBOXES.computeIfAbsent(client, c -> new ConcurrentHashMap<>());
        for (int i = 0; i < count; i++) {
            long seq = from + i;
            Deque<JsonNode> waiting = inbox.computeIfAbsent(channel, c -> new ArrayDeque<>());
            while (waiting.isEmpty()) {
                JsonNode frame = client.next(f -> "publication".equals(f.path("type").asText()), channel + " publication " + seq);
                inbox.computeIfAbsent(frame.path("channel").asText(), c -> new ArrayDeque<>()).add(frame);
            }
            JsonNode frame = waiting.poll();
            assertThat(frame.path("seq").asLong()).as(channel + " seq").isEqualTo(seq);
            messages.add(frame.path("payload").path("m").asText());
        }
        return messages;
    }
}
