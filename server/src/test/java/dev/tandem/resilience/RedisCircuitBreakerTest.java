package dev.tandem.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.cluster.PrivateRedis;
import dev.tandem.cluster.RedisTestSupport;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Redis circuit breaker of a cluster node against a {@link PrivateRedis} the test freezes (connected but
 * answering nothing, so every command would wait out its timeout) and kills: the breaker opens, commands fail at
 * once with {@code unavailable} and a retry hint, readiness and metrics show it, and service comes back by
 * itself once Redis answers again.
 */
class RedisCircuitBreakerTest {
    private static final String CHANNEL = "room:breaker";
    private static final String STATE = "tandem_circuit_state{breaker=\"redis\"}";

    @Test
    void aHungRedisOpensTheBreakerSoCallsFailFastReadinessIsFalseAndAProbeRestoresServiceOnceRedisAnswers()
            throws Exception {
        try (PrivateRedis redis = PrivateRedis.start(); TestServer server = TestServer.start(config(redis));
             WsClient client = server.connect("writer")) {
            assertAcknowledged(client.publish(CHANNEL, payload("before")));
            assertThat(server.metric(STATE)).isZero();

            redis.freeze();
            JsonNode refused = awaitRefusal(client);
            assertThat(refused.path("payload").path("message").asText()).contains("circuit open");
            long start = System.nanoTime();
            JsonNode again = client.publish(CHANNEL, payload("refused"));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(again.path("payload").path("code").asText()).isEqualTo("unavailable");
            assertThat(tookMillis).as("refused without waiting for the 3 s command timeout").isLessThan(2000);
            assertThat(server.metric("tandem_circuit_rejected_total{breaker=\"redis\"}")).isPositive();
            assertThat(server.metric("tandem_circuit_opened_total{breaker=\"redis\"}")).isPositive();
            assertThat(server.metric(STATE)).isGreaterThanOrEqualTo(1);
            assertNotReadyBecauseOfRedis(server);

            redis.thaw();
            await().atMost(Duration.ofSeconds(30)).until(() -> server.get("/health/ready").statusCode() == 200);
            assertThat(server.metric(STATE)).isZero();
            assertAcknowledged(client.publish(CHANNEL, payload("after-thaw")));
        }
    }

    @Test
    void aStoppedRedisOpensTheBreakerAndARestartedOneClosesIt() throws Exception {
        try (PrivateRedis redis = PrivateRedis.start(); TestServer server = TestServer.start(config(redis));
             WsClient client = server.connect("writer")) {
            assertAcknowledged(client.publish(CHANNEL, payload("before")));

            redis.stop();
            awaitRefusal(client);
            assertNotReadyBecauseOfRedis(server);

            redis.restart();
            await().atMost(Duration.ofSeconds(30)).until(() -> server.get("/health/ready").statusCode() == 200);
            assertThat(server.metric(STATE)).isZero();
            assertAcknowledged(client.publish(CHANNEL, payload("after-restart")));
        }
    }

    private static Map<String, String> config(PrivateRedis redis) {
        Map<String, String> config = RedisTestSupport.clusterConfig(RedisTestSupport.uniquePrefix());
        config.put("cluster.redis.url", redis.url());
        config.put("cluster.redis.timeout", "3s");
        config.put("cluster.redis.breaker.failureThreshold", "2");
        config.put("cluster.redis.breaker.openFor", "2s");
        return config;
    }

    /** Publishes until one is refused by the open breaker (with a retry hint); every reply meanwhile is an error. */
    private static JsonNode awaitRefusal(WsClient client) {
        for (int i = 0; i < 20; i++) {
            JsonNode reply = client.publish(CHANNEL, payload("during-" + i));
            assertThat(reply.path("type").asText()).as(reply.toString()).isEqualTo("error");
            assertThat(reply.path("payload").path("code").asText()).isEqualTo("unavailable");
            if (reply.path("payload").path("retryAfter").asLong() > 0) {
                return reply;
            }
        }
        throw new AssertionError("the breaker never refused a call");
    }

    private static void assertNotReadyBecauseOfRedis(TestServer server) throws Exception {
        var ready = server.get("/health/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        JsonNode body = WsClient.JSON.readTree(ready.body());
        assertThat(body.path("down").toString()).contains("redis");
    }

    private static void assertAcknowledged(JsonNode reply) {
        assertThat(reply.path("type").asText()).as(reply.toString()).isEqualTo("ack");
    }

    private static JsonNode payload(String n) {
        return WsClient.JSON.createObjectNode().put("n", n);
    }
}
