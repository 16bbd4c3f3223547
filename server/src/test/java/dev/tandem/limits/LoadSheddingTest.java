package dev.tandem.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestStore;
import dev.tandem.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Node-wide caps: past them new work is refused at once with a retry hint ({@code retryAfter} in the error frame,
 * {@code Retry-After} on HTTP) and the node's existing connections keep being served.
 */
class LoadSheddingTest {

    @Test
    void publishesPastTheNodeRateAreRefusedWithARetryHintOverWebSocketAndHttp() {
        try (TestServer server = TestServer.start(Map.of("limits.nodePublishRate", "1", "limits.nodePublishBurst", "3"));
             WsClient client = server.connect("p")) {
            for (int i = 0; i < 3; i++) {
                assertThat(client.publish("room:a", payload(i)).path("type").asText()).isEqualTo("ack");
            }
            JsonNode refused = client.publish("room:a", payload(4));
            assertThat(refused.path("payload").path("code").asText()).isEqualTo("rate_limited");
            assertThat(refused.path("payload").path("retryAfter").asLong()).isEqualTo(1000);

            HttpResponse<String> http = server.post("/api/publish", "{\"channel\":\"room:a\",\"payload\":{}}");
            assertThat(http.statusCode()).isEqualTo(429);
            assertThat(http.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(client.request(WsClient.command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void aNodeHoldingTooManyQueuedBytesRefusesNewConnectionsWith1013UntilItCatchesUp() throws Exception {
        Map<String, String> config = Map.of("limits.maxQueuedBytes", "262144",
                "limits.outboundQueueBytes", "67108864", "limits.outboundQueueFrames", "100000");
        try (TestServer server = TestServer.start(config)) {
            WsClient lagging = WsClient.paused(server.ws("user=lagging"));
            lagging.connected();
            lagging.send(WsClient.command("subscribe").put("channel", "room:big"));
            await().until(() -> server.server().hub().channels().stream().anyMatch(c -> c.name().equals("room:big")
                    && c.subscribers() == 1));
            String filler = "x".repeat(4000);
            // Publish until the node holds more than its cap in queues and keeps holding it: the event loop flushes
            // what it has queued into the socket buffers after the publisher is done, so one reading above the cap
            // can fall below it again by the time the next connection arrives.
            int readingsAbove = 0;
            for (int i = 0; i < 400 && readingsAbove < 3; i++) {
                if (server.metric("tandem_outbound_queue_bytes") > 262144) {
                    readingsAbove++;
                } else {
                    readingsAbove = 0;
                    for (int j = 0; j < 100; j++) {
                        server.server().hub().publish("room:big", WsClient.JSON.createObjectNode().put("f", filler), null);
                    }
                }
                Thread.sleep(50);
            }
            assertThat(server.metric("tandem_outbound_queue_bytes")).isGreaterThan(262144);
            try (WsClient refused = server.connect("late")) {
                assertThat(refused.nextOfType("disconnect").path("payload").path("code").asInt()).isEqualTo(1013);
                assertThat(refused.closed().get(10, TimeUnit.SECONDS)).isEqualTo(1013);
            }
            assertThat(server.server().metrics().slowConsumerDisconnects().count()).isZero();

            lagging.resume();
            await().until(() -> server.metric("tandem_outbound_queue_bytes") == 0);
            try (WsClient admitted = server.connect("later")) {
                assertThat(admitted.connected().path("type").asText()).isEqualTo("connected");
            }
            lagging.close();
        }
    }

    @Test
    void subscriptionsPastTheNodeCapAreRefusedUntilOneIsReleased() {
        try (TestServer server = TestServer.start(Map.of("limits.maxSubscriptions", "2"));
             WsClient first = server.connect("a");
             WsClient second = server.connect("b")) {
            assertThat(first.subscribe("room:1").path("type").asText()).isEqualTo("subscribed");
            assertThat(second.subscribe("room:2").path("type").asText()).isEqualTo("subscribed");
            JsonNode refused = second.subscribe("room:3");
            assertThat(refused.path("payload").path("code").asText()).isEqualTo("unavailable");
            assertThat(refused.path("payload").path("retryAfter").asLong()).isPositive();

            first.request(WsClient.command("unsubscribe").put("channel", "room:1"));
            assertThat(second.subscribe("room:3").path("type").asText()).isEqualTo("subscribed");
        }
    }

    @Test
    void requestsPastTheInFlightCapGet503WithRetryAfterWhileProbesStillAnswer() throws Exception {
        Map<String, String> config = new HashMap<>(TestStore.POSTGRES.fresh());
        config.put("limits.maxHttpInFlight", "1");
        config.put("namespaces.ledger.history", "durable");
        String schema = config.get("store.postgres.schema");
        try (TestServer server = TestServer.start(config);
             Connection locker = DriverManager.getConnection(TestStore.POSTGRES_URL, "postgres", "")) {
            locker.setAutoCommit(false);
            try (Statement lock = locker.createStatement()) {
                lock.execute("LOCK TABLE " + schema + ".events IN ACCESS EXCLUSIVE MODE");
            }
            CompletableFuture<HttpResponse<String>> stuck = HttpClient.newHttpClient().sendAsync(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port()
                            + "/api/channels/ledger:main/history")).build(), HttpResponse.BodyHandlers.ofString());
            await().until(() -> waitingOnLock(schema));

            HttpResponse<String> refused = server.get("/api/info");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(refused.body()).contains("\"code\":\"unavailable\"");
            assertThat(server.get("/health/live").statusCode()).isEqualTo(200);

            locker.rollback();
            assertThat(stuck.get(20, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
            assertThat(server.get("/api/info").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void durableWritesPastTheStoreQueueAreRefusedAtOnceWithARetryHintNotStoredAndDoNotOpenTheBreaker() throws Exception {
        Map<String, String> config = new HashMap<>(TestStore.POSTGRES.fresh());
        config.put("store.writeQueue", "16");
        config.put("store.maxBatch", "4");
        config.put("namespaces.ledger.history", "durable");
        String schema = config.get("store.postgres.schema");
        try (TestServer server = TestServer.start(config); WsClient client = server.connect("writer");
             Connection locker = DriverManager.getConnection(TestStore.POSTGRES_URL, "postgres", "")) {
            assertThat(client.publish("ledger:main", payload(0)).path("type").asText()).isEqualTo("ack");
            locker.setAutoCommit(false);
            try (Statement lock = locker.createStatement()) {
                lock.execute("LOCK TABLE " + schema + ".events IN ACCESS EXCLUSIVE MODE");
            }
            int sent = 100;
            for (int i = 1; i <= sent; i++) {
                client.send(WsClient.command("publish").put("channel", "ledger:main").set("payload", payload(i)));
            }
            int refused = 0;
            for (int i = 0; i < sent - 16 - 4; i++) { // everything beyond the queue and the batch being written
                JsonNode reply = client.nextOfType("error");
                assertThat(reply.path("payload").path("code").asText()).isEqualTo("unavailable");
                assertThat(reply.path("payload").path("retryAfter").asLong()).isEqualTo(1000);
                refused++;
            }
            locker.rollback();
            int acknowledged = 0;
            while (acknowledged + refused < sent) {
                JsonNode reply = client.next(f -> "ack".equals(f.path("type").asText())
                        || "error".equals(f.path("type").asText()), "the remaining replies");
                if ("ack".equals(reply.path("type").asText())) {
                    acknowledged++;
                } else {
                    refused++;
                }
            }
            assertThat(acknowledged).as("what the queue held is committed once the database answers").isPositive();
            JsonNode history = client.request(WsClient.command("history").put("channel", "ledger:main")
                    .put("after", 0).put("limit", 1000));
            assertThat(history.path("payload").path("publications").size()).as("refused writes are not stored")
                    .isEqualTo(1 + acknowledged);
            assertThat(server.metric("tandem_circuit_state{breaker=\"store\"}")).as("a refusal for load is no failure")
                    .isZero();
        }
    }

    private static boolean waitingOnLock(String schema) throws Exception {
        try (Connection c = DriverManager.getConnection(TestStore.POSTGRES_URL, "postgres", "");
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_locks l JOIN pg_class r ON r.oid = l.relation "
                     + "JOIN pg_namespace n ON n.oid = r.relnamespace WHERE NOT l.granted AND n.nspname = '"
                     + schema + "' AND r.relname = 'events'")) {
            rs.next();
            return rs.getLong(1) > 0;
        }
    }


    private static JsonNode payload(int i) {
        return WsClient.JSON.createObjectNode().put("i", i);
    }
}
