package dev.tandem.presence.redis;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.cluster.RedisTestSupport;
import dev.tandem.testing.ServerProcess;
import dev.tandem.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Presence across two server processes sharing the local Redis: members on either node see each other join,
 * update and leave, and when a node is killed its users leave on the other node once its heartbeat expires
 * (the node TTL is 2 s here, far below the 60 s presence TTL, so the leave can only come from node death).
 */
class ClusterPresenceTest {
    /** One cluster per test: its own Redis prefix and PostgreSQL schema, shared by its two nodes. */
    private final Map<String, String> cluster = cluster();

    private static Map<String, String> cluster() {
        Map<String, String> config = RedisTestSupport.clusterConfig(RedisTestSupport.uniquePrefix());
        config.put("cluster.nodeTtl", "2s");
        return RedisTestSupport.asEnvironment(config);
    }

    @TempDir
    Path dataA;
    @TempDir
    Path dataB;

    private final String channel = "room:cluster-" + UUID.randomUUID().toString().substring(0, 8);

    private static ObjectNode state(String name) {
        return WsClient.JSON.createObjectNode().put("name", name);
    }

    private JsonNode join(WsClient client, String name) {
        assertThat(client.subscribe(channel).path("type").asText()).isEqualTo("subscribed");
        ObjectNode join = command("presence:join").put("channel", channel);
        join.putObject("payload").set("state", state(name));
        return client.request(join);
    }

    private JsonNode event(WsClient client, String type, String userId) {
        return client.next(f -> type.equals(f.path("type").asText()) && channel.equals(f.path("channel").asText())
                && userId.equals(f.path("payload").path("id").asText()), type + " of " + userId);
    }

    private static List<String> ids(JsonNode users) {
        List<String> ids = new ArrayList<>();
        users.forEach(u -> ids.add(u.path("id").asText()));
        return ids;
    }

    @Test
    void membersOnDifferentNodesSeeEachOtherJoinUpdateAndLeave() throws Exception {
        try (ServerProcess a = ServerProcess.start(dataA, env("node-a-"));
             ServerProcess b = ServerProcess.start(dataB, env("node-b-"));
             WsClient ann = WsClient.connect(a.ws("user=ann"));
             WsClient bob = WsClient.connect(b.ws("user=bob"))) {
            assertThat(ids(join(ann, "Ann").path("payload").path("users"))).containsExactly("ann");

            JsonNode bobSync = join(bob, "Bob");
            assertThat(ids(bobSync.path("payload").path("users"))).containsExactly("ann", "bob");
            assertThat(event(ann, "presence:join", "bob").path("payload").path("name").asText()).isEqualTo("Bob");
            HttpResponse<String> fromA = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + a.port() + "/api/presence/" + channel)).build(), BodyHandlers.ofString());
            assertThat(fromA.statusCode()).isEqualTo(200);
            assertThat(ids(WsClient.JSON.readTree(fromA.body()).path("users"))).containsExactly("ann", "bob");

            ObjectNode update = command("presence:update").put("channel", channel);
            update.putObject("payload").set("state", state("Bobby"));
            bob.send(update);
            assertThat(event(ann, "presence:update", "bob").path("payload").path("state").path("name").asText())
                    .isEqualTo("Bobby");

            ann.send(command("presence:leave").put("channel", channel));
            assertThat(event(bob, "presence:leave", "ann").path("payload").path("status").asText()).isEqualTo("offline");
        }
    }

    @Test
    void usersOfAKilledNodeLeaveOnTheOtherNodeWhenItsHeartbeatExpires() throws Exception {
        try (ServerProcess a = ServerProcess.start(dataA, env("node-a-"));
             ServerProcess b = ServerProcess.start(dataB, env("node-b-"));
             WsClient ann = WsClient.connect(a.ws("user=ann"));
             WsClient bob = WsClient.connect(b.ws("user=bob"));
             WsClient carol = WsClient.connect(b.ws("user=carol"))) {
            join(ann, "Ann");
            join(bob, "Bob");
            join(carol, "Carol");
            event(ann, "presence:join", "carol");

            b.kill();

            Map<String, JsonNode> left = new java.util.HashMap<>();
            while (left.size() < 2) {
                JsonNode leave = ann.next(f -> "presence:leave".equals(f.path("type").asText())
                        && channel.equals(f.path("channel").asText()), "presence:leave of bob and carol");
                left.put(leave.path("payload").path("id").asText(), leave.path("payload"));
            }
            assertThat(left).containsOnlyKeys("bob", "carol");
            assertThat(left.get("bob").path("status").asText()).isEqualTo("offline");
            assertThat(left.get("carol").path("lastSeen").asLong()).isPositive();
            ObjectNode get = command("presence:get").put("channel", channel);
            assertThat(ids(ann.request(get).path("payload").path("users"))).containsExactly("ann");
            assertThat(a.output()).anyMatch(line -> line.contains("is dead"));
        }
    }

    private Map<String, String> env(String nodePrefix) {
        Map<String, String> env = new java.util.HashMap<>(cluster);
        env.put("TANDEM_CLUSTER_NODE_ID", nodePrefix + UUID.randomUUID().toString().substring(0, 8));
        return env;
    }
}
