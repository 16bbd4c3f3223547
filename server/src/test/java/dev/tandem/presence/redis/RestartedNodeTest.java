package dev.tandem.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.cluster.RedisConnection;
import dev.tandem.cluster.RedisMetrics;
import dev.tandem.cluster.RedisTestSupport;
import dev.tandem.presence.PresenceEntry;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A node that crashed and restarts with the same {@code cluster.nodeId} before anyone reaped it: the entries of
 * its previous life (connections that no longer exist) go offline at start, not only when their TTL passes.
 */
class RestartedNodeTest {

    @Test
    void entriesOfAnEarlierLifeOfTheNodeIdGoOfflineAtStart() throws Exception {
        String unique = UUID.randomUUID().toString().substring(0, 8);
        String nodeId = "restarted-" + unique;
        String channel = "room:restart-" + unique;
        long now = System.currentTimeMillis();
        String prefix = RedisTestSupport.uniquePrefix();
        try (RedisConnection redis = RedisTestSupport.connect()) {
            RedisPresenceStore previousLife = new RedisPresenceStore(redis, prefix, nodeId,
                    new RedisMetrics(new SimpleMeterRegistry()));
            previousLife.put(new PresenceEntry(channel, "ghost", "c_gone", WsClient.JSON.createObjectNode(),
                    PresenceEntry.Status.online, now, now, now + 600_000)).toCompletableFuture().join();
        }

        Map<String, String> config = RedisTestSupport.clusterConfig(prefix);
        config.put("cluster.nodeId", nodeId);
        try (TestServer server = TestServer.start(config)) {
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode members = WsClient.JSON.readTree(server.get("/api/presence/" + channel).body());
                assertThat(members.path("counts").path("connections").asInt()).isZero();
            });
            JsonNode ghost = WsClient.JSON.readTree(server.get("/api/users/ghost/presence").body());
            assertThat(ghost.path("channels").has(channel)).isFalse();
        }
    }
}
