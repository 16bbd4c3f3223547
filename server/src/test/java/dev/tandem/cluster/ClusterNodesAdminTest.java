package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Two nodes sharing the local Redis each list both in {@code /admin/api/nodes}, and a closed node drops out; the
 * channel list is each node's own and says so.
 */
class ClusterNodesAdminTest {
    private static final String KEY = "nodes-admin-key";
    private static final String[] AUTH = {"Authorization", "apikey " + KEY};
    private static final Map<String, String> CLUSTER = cluster();

    private static Map<String, String> cluster() {
        Map<String, String> config = RedisTestSupport.clusterConfig(RedisTestSupport.uniquePrefix());
        config.put("admin.key", KEY);
        return config;
    }

    private static JsonNode nodes(TestServer server) throws Exception {
        return WsClient.JSON.readTree(server.get("/admin/api/nodes", AUTH).body());
    }

    @Test
    void everyNodeListsTheLiveNodesOfTheCluster() throws Exception {
        try (TestServer a = TestServer.start(CLUSTER)) {
            String b;
            try (TestServer other = TestServer.start(CLUSTER); WsClient client = other.connect("on-b")) {
                client.connected();
                b = other.server().nodeId();
                await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                    JsonNode fromA = nodes(a);
                    assertThat(fromA.path("self").asText()).isEqualTo(a.server().nodeId());
                    assertThat(fromA.path("nodes").findValuesAsText("id")).contains(a.server().nodeId(), b);
                    JsonNode onB = null;
                    for (JsonNode node : fromA.path("nodes")) {
                        if (node.path("id").asText().equals(b)) {
                            onB = node;
                        }
                    }
                    assertThat(onB.path("address").asText()).endsWith(":" + other.port());
                    assertThat(onB.path("connections").asInt()).isEqualTo(1);
                });
                assertThat(nodes(other).path("nodes").findValuesAsText("id")).contains(a.server().nodeId(), b);
            }
            assertThat(nodes(a).path("nodes").findValuesAsText("id")).doesNotContain(b);
        }
    }

    @Test
    void eachNodesChannelListNamesTheNodeAndHoldsItsOwnClientsChannels() throws Exception {
        try (TestServer a = TestServer.start(CLUSTER); TestServer b = TestServer.start(CLUSTER);
             WsClient onB = b.connect("on-b")) {
            onB.subscribe("room:only-on-b");
            JsonNode fromA = WsClient.JSON.readTree(a.get("/admin/api/channels", AUTH).body());
            JsonNode fromB = WsClient.JSON.readTree(b.get("/admin/api/channels", AUTH).body());
            assertThat(fromA.path("node").asText()).isEqualTo(a.server().nodeId());
            assertThat(fromB.path("node").asText()).isEqualTo(b.server().nodeId());
            assertThat(fromA.path("channels").findValuesAsText("channel")).doesNotContain("room:only-on-b");
            assertThat(fromB.path("channels").findValuesAsText("channel")).contains("room:only-on-b");
        }
    }
}
