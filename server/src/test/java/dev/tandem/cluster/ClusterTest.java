package dev.tandem.cluster;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.testing.RawHttp;
import dev.tandem.testing.ServerProcess;
import dev.tandem.testing.WsClient;
import io.lettuce.core.RedisClient;
import io.lettuce.core.XAddArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Three real nodes (child JVMs) on the local Redis and PostgreSQL, with clients on different nodes. One
 * cluster serves the whole class to keep the suite short: the tests that take nodes away (SIGTERM drain, then
 * {@code kill -9}) run last, in that order.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterTest {
    private static final String MEMORY = "room:";
    private static final String DURABLE = "chat:";

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ClusterNodes cluster;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = ClusterNodes.start(ClusterNodes.LOCAL_REDIS, 3);
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void subscribersOnEveryNodeSeeEveryChannelInOneGapFreeOrder() throws Exception {
        for (String channel : List.of(MEMORY + "order", DURABLE + "order")) {
            List<WsClient> subscribers = new ArrayList<>();
            List<WsClient> publishers = new ArrayList<>();
            try {
                for (int n = 0; n < 3; n++) {
                    WsClient subscriber = WsClient.connect(cluster.node(n).ws("user=s" + n));
                    subscriber.subscribe(channel);
                    subscribers.add(subscriber);
                    publishers.add(WsClient.connect(cluster.node(n).ws("user=p" + n)));
                }
                int perNode = 100;
                List<CompletableFuture<Void>> sending = new ArrayList<>();
                for (int n = 0; n < 3; n++) {
                    WsClient publisher = publishers.get(n);
                    String node = "n" + n;
                    sending.add(CompletableFuture.runAsync(() -> {
                        for (int i = 0; i < perNode; i++) {
                            publisher.send(publish(channel, node + "-" + i));
                        }
                    }));
                }
                CompletableFuture.allOf(sending.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
                List<String> first = null;
                for (WsClient subscriber : subscribers) {
                    List<String> seen = publications(subscriber, 1, 3 * perNode);
                    assertThat(seen).doesNotHaveDuplicates().hasSize(3 * perNode);
                    if (first == null) {
                        first = seen;
                    } else {
                        assertThat(seen).as("the same order on every node").isEqualTo(first);
                    }
                }
            } finally {
                subscribers.forEach(WsClient::close);
                publishers.forEach(WsClient::close);
            }
        }
    }

    @Test
    @Order(2)
    void resubscribingOnAnotherNodeRecoversExactlyWhatWasMissed() {
        for (String channel : List.of(MEMORY + "recover", DURABLE + "recover")) {
            try (WsClient publisher = WsClient.connect(cluster.node(1).ws("user=p"))) {
                String epoch;
                try (WsClient before = WsClient.connect(cluster.node(0).ws("user=r"))) {
                    epoch = before.subscribe(channel).path("payload").path("epoch").asText();
                    for (int i = 1; i <= 20; i++) {
                        publisher.request(publish(channel, "a" + i));
                    }
                    assertThat(publications(before, 1, 20)).hasSize(20);
                }
                for (int i = 21; i <= 50; i++) {
                    publisher.request(publish(channel, "a" + i));
                }
                try (WsClient after = WsClient.connect(cluster.node(2).ws("user=r"))) {
                    ObjectNode subscribe = command("subscribe").put("channel", channel);
                    subscribe.putObject("since").put("seq", 20).put("epoch", epoch);
                    JsonNode subscribed = after.request(subscribe);
                    assertThat(subscribed.path("payload").path("recovered").asBoolean()).as(channel + " recovered").isTrue();
                    for (int i = 51; i <= 60; i++) {
                        publisher.send(publish(channel, "a" + i));
                    }
                    List<String> expected = new ArrayList<>();
                    for (int i = 21; i <= 60; i++) {
                        expected.add("a" + i);
                    }
                    assertThat(publications(after, 21, 40)).isEqualTo(expected);
                }
            }
        }
    }

    @Test
    @Order(3)
    void aPublicationWhoseBusMessageWasLostIsFilledFromHistoryInOrder() {
        String channel = MEMORY + "lost";
        RedisClient client = RedisClient.create(ClusterNodes.LOCAL_REDIS);
        try (WsClient subscriber = WsClient.connect(cluster.node(2).ws("user=s"));
             WsClient publisher = WsClient.connect(cluster.node(0).ws("user=p"));
             StatefulRedisConnection<String, String> redis = client.connect()) {
            subscriber.subscribe(channel);
            publisher.request(publish(channel, "l1"));
            assertThat(publications(subscriber, 1, 1)).containsExactly("l1");
            // What the sequencing script does, minus the PUBLISH: as if the bus had dropped this message.
            long seq = redis.sync().hincrby(cluster.prefix() + "ch:" + channel, "seq", 1);
            redis.sync().xadd(cluster.prefix() + "hist:" + channel, new XAddArgs().id(seq + "-0"),
                    Map.of("t", Long.toString(System.currentTimeMillis()), "l", "0", "u", "", "p", "{\"m\":\"l2\"}"));
            publisher.request(publish(channel, "l3"));
            assertThat(publications(subscriber, 2, 2)).containsExactly("l2", "l3");
        } finally {
            client.shutdown();
        }
    }

    @Test
    @Order(4)
    void commandsPostedToAnotherNodeReachAnSseSessionWithoutStickiness() throws Exception {
        String channel = MEMORY + "fallback";
        try (RawHttp sse = RawHttp.get(cluster.node(0).port(), "/sse?user=f");
             WsClient publisher = WsClient.connect(cluster.node(2).ws("user=p"))) {
            assertThat(sse.status()).isEqualTo(200);
            String sessionId = nextSseFrame(sse, "connected").path("payload").path("connectionId").asText();
            ObjectNode subscribe = command("subscribe").put("channel", channel).put("requestId", "s1");
            HttpResponse<String> posted = post(cluster.node(1), "/session/" + sessionId + "?user=f", subscribe.toString());
            assertThat(posted.statusCode()).as(posted.body()).isEqualTo(202);
            assertThat(nextSseFrame(sse, "subscribed").path("requestId").asText()).isEqualTo("s1");
            publisher.request(publish(channel, "via-node-2"));
            assertThat(nextSseFrame(sse, "publication").path("payload").path("m").asText()).isEqualTo("via-node-2");

            HttpResponse<String> unknown = post(cluster.node(2), "/session/no-such-session?user=f", subscribe.toString());
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(unknown.body()).contains("not_found");
        }
    }

    @Test
    @Order(5)
    void aDurableEventADeadNodeCommittedButNeverAnnouncedReachesLiveSubscribersOnEverySurvivingNode() throws Exception {
        String channel = DURABLE + "unannounced";
        List<WsClient> subscribers = new ArrayList<>();
        RedisClient client = RedisClient.create(ClusterNodes.LOCAL_REDIS);
        try (WsClient publisher = WsClient.connect(cluster.node(0).ws("user=p"));
             StatefulRedisConnection<String, String> redis = client.connect()) {
            for (int n = 0; n < 3; n++) {
                WsClient subscriber = WsClient.connect(cluster.node(n).ws("user=s" + n));
                subscriber.subscribe(channel);
                subscribers.add(subscriber);
            }
            publisher.request(publish(channel, "u1"));
            for (WsClient subscriber : subscribers) {
                assertThat(publications(subscriber, 1, 1)).containsExactly("u1");
            }
            // A node that committed seq 2 to PostgreSQL and died before its bus message left: the commit is in
            // the store, the node in the registry with a heartbeat long past. Only one node reaps it.
            commitWithoutAnnouncing(channel, "u2");
            redis.sync().zadd(cluster.prefix() + "nodes", System.currentTimeMillis() - 3_600_000, "ghost");
            for (WsClient subscriber : subscribers) {
                assertThat(publications(subscriber, 2, 1)).as("without reconnecting or a later publication")
                        .containsExactly("u2");
            }
        } finally {
            subscribers.forEach(WsClient::close);
            client.shutdown();
        }
    }

    /** What a node's durable publish writes to the shared store, without the bus message that announces it. */
    private void commitWithoutAnnouncing(String channel, String message) throws Exception {
        try (Connection db = cluster.database().getConnection()) {
            db.setAutoCommit(false);
            long seq;
            try (PreparedStatement next = db.prepareStatement("UPDATE channel_seq SET seq = seq + 1 WHERE channel = ? RETURNING seq")) {
                next.setString(1, channel);
                try (ResultSet rs = next.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    seq = rs.getLong(1);
                }
            }
            try (PreparedStatement insert = db.prepareStatement(
                    "INSERT INTO events (channel, seq, type, payload, created_at) VALUES (?, ?, 'publication', ?, ?)")) {
                insert.setString(1, channel);
                insert.setLong(2, seq);
                insert.setString(3, "{\"m\":\"" + message + "\"}");
                insert.setLong(4, System.currentTimeMillis());
                insert.executeUpdate();
            }
            db.commit();
        }
    }

    @Test
    @Order(6)
    void drainedNodeSendsClientsElsewhereAndTheyResumeWithoutLoss() throws Exception {
        String channel = DURABLE + "drain";
        ServerProcess draining = cluster.node(2);
        try (WsClient publisher = WsClient.connect(cluster.node(0).ws("user=p"));
             WsClient client = WsClient.connect(draining.ws("user=d"))) {
            String epoch = client.subscribe(channel).path("payload").path("epoch").asText();
            for (int i = 1; i <= 10; i++) {
                publisher.request(publish(channel, "d" + i));
            }
            List<String> seen = new ArrayList<>(publications(client, 1, 10));
            draining.terminate();
            JsonNode disconnect = client.nextOfType("disconnect");
            assertThat(disconnect.path("payload").path("code").asInt()).isEqualTo(1012);
            assertThat(disconnect.path("payload").path("reconnect").asBoolean()).isTrue();
            for (int i = 11; i <= 20; i++) {
                publisher.request(publish(channel, "d" + i));
            }
            try (WsClient resumed = WsClient.connect(cluster.node(1).ws("user=d"))) {
                ObjectNode subscribe = command("subscribe").put("channel", channel);
                subscribe.putObject("since").put("seq", 10).put("epoch", epoch);
                assertThat(resumed.request(subscribe).path("payload").path("recovered").asBoolean()).isTrue();
                seen.addAll(publications(resumed, 11, 10));
            }
            assertThat(seen).hasSize(20).doesNotHaveDuplicates();
            assertThat(draining.process().waitFor(15, TimeUnit.SECONDS)).as("drained node exits").isTrue();
        }
    }

    @Test
    @Order(7)
    void killedNodesClientsRecoverEveryAcknowledgedPublicationOnAnotherNode() throws Exception {
        ServerProcess victim = cluster.node(1);
        ServerProcess survivor = cluster.node(0);
        List<String> channels = List.of(MEMORY + "kill", DURABLE + "kill");
        Map<String, WsClient> watchers = new ConcurrentHashMap<>();
        Map<String, String> epochs = new ConcurrentHashMap<>();
        for (String channel : channels) {
            WsClient watcher = WsClient.connect(victim.ws("user=w"));
            epochs.put(channel, watcher.subscribe(channel).path("payload").path("epoch").asText());
            watchers.put(channel, watcher);
        }
        WsClient live = WsClient.connect(survivor.ws("user=live"));
        live.subscribe(DURABLE + "kill");
        List<WsClient> publishers = List.of(WsClient.connect(victim.ws("user=p1")), WsClient.connect(survivor.ws("user=p0")));
        Map<String, String> messageByRequest = new ConcurrentHashMap<>();
        Set<String> ackedRequests = ConcurrentHashMap.newKeySet();
        AtomicBoolean stop = new AtomicBoolean();
        List<CompletableFuture<Void>> sending = new ArrayList<>();
        for (int p = 0; p < publishers.size(); p++) {
            WsClient publisher = publishers.get(p);
            int id = p;
            sending.add(CompletableFuture.runAsync(() -> publishInWindows(publisher, "p" + id, channels, stop,
                    messageByRequest, ackedRequests)));
        }
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (ackedRequests.size() < 400 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            victim.kill();
            victim.process().waitFor(10, TimeUnit.SECONDS);
            stop.set(true);
            CompletableFuture.allOf(sending.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
        }
        Map<String, Set<String>> acked = new ConcurrentHashMap<>();
        for (WsClient publisher : publishers) {
            for (JsonNode frame : publisher.drain()) {
                if ("ack".equals(frame.path("type").asText())) {
                    ackedRequests.add(frame.path("requestId").asText());
                }
            }
            publisher.abort();
        }
        for (String requestId : ackedRequests) {
            String[] parts = messageByRequest.get(requestId).split("\\|");
            acked.computeIfAbsent(parts[0], c -> new TreeSet<>()).add(parts[1]);
        }
        for (String channel : channels) {
            WsClient watcher = watchers.get(channel);
            List<JsonNode> before = new ArrayList<>();
            for (JsonNode frame : watcher.drain()) {
                if ("publication".equals(frame.path("type").asText())) {
                    before.add(frame);
                }
            }
            watcher.abort();
            long last = before.isEmpty() ? 0 : before.get(before.size() - 1).path("seq").asLong();
            for (int i = 0; i < before.size(); i++) {
                assertThat(before.get(i).path("seq").asLong()).as(channel + " in order before the kill").isEqualTo(i + 1);
            }
            Set<String> seen = new TreeSet<>();
            before.forEach(f -> seen.add(f.path("payload").path("m").asText()));
            try (WsClient migrated = WsClient.connect(survivor.ws("user=w"))) {
                ObjectNode subscribe = command("subscribe").put("channel", channel);
                subscribe.putObject("since").put("seq", last).put("epoch", epochs.get(channel));
                JsonNode subscribed = migrated.request(subscribe);
                assertThat(subscribed.path("payload").path("recovered").asBoolean()).as(channel + " recovered").isTrue();
                long latest = subscribed.path("payload").path("seq").asLong();
                for (long seq = last + 1; seq <= latest; seq++) {
                    long expected = seq;
                    JsonNode frame = migrated.next(f -> "publication".equals(f.path("type").asText()), "seq " + seq);
                    assertThat(frame.path("seq").asLong()).as(channel + " replay in order").isEqualTo(expected);
                    assertThat(seen.add(frame.path("payload").path("m").asText())).as("no duplicate").isTrue();
                }
            }
            assertThat(acked.get(channel)).as(channel + " acknowledged").hasSizeGreaterThan(50);
            assertThat(seen).as(channel + ": every acknowledged publication reached the migrated client")
                    .containsAll(acked.get(channel));
        }
        assertLiveSubscriberReceivedInOrder(live, acked.get(DURABLE + "kill"));
    }

    /**
     * A subscriber on a surviving node, connected throughout, receives every acknowledged durable publication in
     * seq order, including those the killed node committed but may not have announced on the bus (they arrive
     * once the node is declared dead).
     */
    private static void assertLiveSubscriberReceivedInOrder(WsClient live, Set<String> acked) {
        Set<String> received = new TreeSet<>();
        long seq = 0;
        try {
            while (!received.containsAll(acked)) {
                JsonNode frame = live.next(f -> "publication".equals(f.path("type").asText()),
                        "acknowledged publications still missing on a live subscriber: " + missing(acked, received));
                assertThat(frame.path("seq").asLong()).as("live subscriber in seq order").isEqualTo(++seq);
                received.add(frame.path("payload").path("m").asText());
            }
        } finally {
            live.abort();
        }
    }

    private static Set<String> missing(Set<String> expected, Set<String> received) {
        Set<String> missing = new TreeSet<>(expected);
        missing.removeAll(received);
        return missing;
    }

    /**
     * Publishes on every channel in windows of ten, reading the acks of each window before the next, until told
     * to stop or the node goes away; every ack is recorded.
     */
    private static void publishInWindows(WsClient publisher, String name, List<String> channels, AtomicBoolean stop,
                                         Map<String, String> messageByRequest, Set<String> ackedRequests) {
        for (int i = 0; !stop.get(); ) {
            String last = null;
            for (int w = 0; w < 5; w++, i++) {
                for (String channel : channels) {
                    ObjectNode publish = publish(channel, name + "-" + i);
                    last = name + "-" + channel + "-" + i;
                    publish.put("requestId", last);
                    messageByRequest.put(last, channel + "|" + name + "-" + i);
                    try {
                        publisher.sendText(publish.toString());
                    } catch (RuntimeException closed) {
                        return;
                    }
                }
            }
            while (true) {
                JsonNode frame = publisher.poll(Duration.ofSeconds(2));
                if (frame == null) {
                    return; // the node is gone
                }
                String requestId = frame.path("requestId").asText();
                if ("ack".equals(frame.path("type").asText())) {
                    ackedRequests.add(requestId);
                }
                if (requestId.equals(last)) {
                    break;
                }
            }
        }
    }

    private static JsonNode nextSseFrame(RawHttp sse, String type) throws Exception {
        for (String line = sse.readLine(); line != null; line = sse.readLine()) {
            if (line.startsWith("data: ")) {
                JsonNode frame = WsClient.JSON.readTree(line.substring(6));
                if (type.equals(frame.path("type").asText())) {
                    return frame;
                }
            }
        }
        throw new AssertionError("the SSE stream ended before a " + type + " frame");
    }

    private static HttpResponse<String> post(ServerProcess node, String target, String body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + target))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode publish(String channel, String message) {
        ObjectNode publish = command("publish").put("channel", channel);
        publish.putObject("payload").put("m", message);
        return publish;
    }

    /** The next {@code count} publications, checking that they are seq {@code from}, {@code from + 1}, ... */
    private static List<String> publications(WsClient client, long from, int count) {
        List<String> messages = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long seq = from + i;
            JsonNode frame = client.next(f -> "publication".equals(f.path("type").asText()), "publication " + seq);
            assertThat(frame.path("seq").asLong()).as("seq of publication " + i).isEqualTo(seq);
            messages.add(frame.path("payload").path("m").asText());
        }
        return messages;
    }
}
