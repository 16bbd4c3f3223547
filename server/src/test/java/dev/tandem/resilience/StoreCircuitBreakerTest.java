package dev.tandem.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestStore;
import dev.tandem.testing.WsClient;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store's circuit breaker against a real PostgreSQL that goes away mid-test: a database of its own
 * (created here, dropped after) is closed to connections and its backends terminated, then reopened. Other
 * tests use other databases and schemas, so they never notice.
 */
class StoreCircuitBreakerTest {
    private static final SecureRandom RANDOM = new SecureRandom();
    private String database;

    @BeforeEach
    void createDatabase() throws SQLException {
        database = "tandem_breaker_" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
        admin("CREATE DATABASE " + database);
    }

    @AfterEach
    void dropDatabase() throws SQLException {
        admin("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    }

    @Test
    void aStoppedDatabaseOpensTheBreakerFailsFastReportsNotReadyAndServiceComesBackWithNoAcknowledgedLoss()
            throws Exception {
        Map<String, String> config = new HashMap<>(TestStore.POSTGRES.fresh());
        config.put("store.postgres.url", "jdbc:postgresql://127.0.0.1:5432/" + database);
        config.put("store.postgres.schema", "public");
        config.put("store.connectionTimeout", "500ms");
        config.put("store.breaker.failureThreshold", "2");
        config.put("store.breaker.openFor", "1s");
        config.put("namespaces.ledger.history", "durable");
        try (TestServer server = TestServer.start(config); WsClient client = server.connect("writer")) {
            List<Long> acknowledged = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                acknowledged.add(ack(client.publish("ledger:main", payload("before-" + i))));
            }
            assertThat(server.get("/health/ready").statusCode()).isEqualTo(200);

            stopDatabase();
            JsonNode refused = null;
            for (int i = 0; i < 20 && refused == null; i++) {
                JsonNode reply = client.publish("ledger:main", payload("during-" + i));
                assertThat(reply.path("type").asText()).as("no publish is acknowledged while the store is down")
                        .isEqualTo("error");
                assertThat(reply.path("payload").path("code").asText()).isEqualTo("unavailable");
                if (reply.path("payload").has("retryAfter")) {
                    refused = reply;
                }
            }
            assertThat(refused).as("the breaker opened and refused at once").isNotNull();
            assertThat(refused.path("payload").path("message").asText()).contains("circuit open");
            assertThat(refused.path("payload").path("retryAfter").asLong()).isPositive();

            HttpResponse<String> viaHttp = null;
            for (int i = 0; i < 5 && (viaHttp == null || viaHttp.headers().firstValue("Retry-After").isEmpty()); i++) {
                viaHttp = server.post("/api/publish", "{\"channel\":\"ledger:main\",\"payload\":{\"n\":\"during-http\"}}");
                assertThat(viaHttp.statusCode()).isEqualTo(503);
            }
            assertThat(viaHttp.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isPositive());
            assertThat(viaHttp.body()).contains("\"code\":\"unavailable\"").contains("retryAfter");

            HttpResponse<String> ready = server.get("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(WsClient.JSON.readTree(ready.body()).path("down").toString()).contains("store");
            assertThat(server.metric("tandem_circuit_state{breaker=\"store\"}")).isGreaterThanOrEqualTo(1);
            assertThat(server.metric("tandem_circuit_rejected_total{breaker=\"store\"}")).isPositive();

            startDatabase();
            await().atMost(Duration.ofSeconds(30)).until(() -> server.get("/health/ready").statusCode() == 200);
            assertThat(server.metric("tandem_circuit_state{breaker=\"store\"}")).isZero();
            for (int i = 0; i < 3; i++) {
                acknowledged.add(ack(client.publish("ledger:main", payload("after-" + i))));
            }

            JsonNode history = client.request(WsClient.command("history").put("channel", "ledger:main")
                    .put("after", 0).put("limit", 100));
            List<Long> stored = new ArrayList<>();
            List<String> names = new ArrayList<>();
            history.path("payload").path("publications").forEach(p -> {
                stored.add(p.path("seq").asLong());
                names.add(p.path("payload").path("n").asText());
            });
            assertThat(stored).as("every acknowledged publish is stored").containsAll(acknowledged);
            assertThat(names).as("nothing refused was stored").noneMatch(n -> n.startsWith("during-"));
            assertThat(acknowledged).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        }
    }

    private void stopDatabase() throws SQLException {
        admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS false");
        admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + database + "'");
    }

    private void startDatabase() throws SQLException {
        admin("ALTER DATABASE " + database + " ALLOW_CONNECTIONS true");
    }

    private static void admin(String sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection(TestStore.POSTGRES_URL, "postgres", "");
             Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static long ack(JsonNode reply) {
        assertThat(reply.path("type").asText()).as(reply.toString()).isEqualTo("ack");
        return reply.path("payload").path("seq").asLong();
    }

    private static JsonNode payload(String n) {
        return WsClient.JSON.createObjectNode().put("n", n);
    }

}
