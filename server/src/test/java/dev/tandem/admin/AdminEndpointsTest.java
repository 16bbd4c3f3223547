package dev.tandem.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestTokens;
import dev.tandem.testing.WsClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdminEndpointsTest {
    private static final String KEY = "admin-" + System.nanoTime();
    private static final String[] AUTH = {"Authorization", "apikey " + KEY};
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("admin.key", KEY, "api.key", "a-different-api-key"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return WsClient.JSON.readTree(response.body());
    }

    @Test
    void everyAdminApiRouteRefusesAMissingOrWrongKey() {
        for (String path : new String[] {"stats", "channels", "disconnects", "nodes", "history?channel=a"}) {
            assertThat(server.get("/admin/api/" + path).statusCode()).isEqualTo(401);
            assertThat(server.get("/admin/api/" + path, "Authorization", "apikey a-different-api-key").statusCode())
                    .isEqualTo(401);
        }
        HttpResponse<String> publish = server.post("/admin/api/publish", "{\"channel\":\"a\",\"payload\":1}");
        assertThat(publish.statusCode()).isEqualTo(401);
        assertThat(publish.body()).contains("unauthorized");
        assertThat(server.post("/admin/api/disconnect", "{\"userId\":\"x\"}").statusCode()).isEqualTo(401);
    }

    @Test
    void aSingleNodeListsItselfAsTheClusterWithItsConnections() throws Exception {
        try (WsClient alice = server.connect("nodes-alice")) {
            alice.connected();
            JsonNode body = json(server.get("/admin/api/nodes", AUTH));

            assertThat(body.path("self").asText()).isEqualTo(server.server().nodeId());
            assertThat(body.path("nodes")).hasSize(1);
            JsonNode self = body.path("nodes").get(0);
            assertThat(self.path("id").asText()).isEqualTo(server.server().nodeId());
            assertThat(self.path("address").asText()).endsWith(":" + server.port());
            assertThat(self.path("connections").asInt()).isPositive();
        }
    }

    @Test
    void statsCountConnectionsSubscriptionsAndPublications() throws Exception {
        // The server may still be closing an earlier test's connections; counting from there would be off by one.
        await("earlier tests' connections closed").atMost(Duration.ofSeconds(10))
                .until(() -> json(server.get("/admin/api/stats", AUTH)).path("connections").asInt() == 0);
        JsonNode before = json(server.get("/admin/api/stats", AUTH));
        try (WsClient alice = server.connect("stats-alice"); WsClient bob = server.connect("stats-bob")) {
            bob.subscribe("stats:room");
            alice.publish("stats:room", WsClient.JSON.createObjectNode().put("x", 1));
            bob.nextOfType("publication");

            JsonNode after = json(server.get("/admin/api/stats", AUTH));

            assertThat(after.path("connections").asInt()).isEqualTo(before.path("connections").asInt() + 2);
            assertThat(after.path("connectionsByTransport").path("ws").asInt()).isGreaterThanOrEqualTo(2);
            assertThat(after.path("subscriptions").asInt()).isGreaterThanOrEqualTo(1);
            assertThat(after.path("publications").asLong()).isEqualTo(before.path("publications").asLong() + 1);
            assertThat(after.path("framesOut").asLong()).isGreaterThan(before.path("framesOut").asLong());
            assertThat(after.path("time").asLong()).isGreaterThanOrEqualTo(before.path("time").asLong());
            assertThat(after.path("latencyMs").path("p99").isNumber()).isTrue();
        }
    }

    @Test
    void topChannelsAreListedMostSubscribedFirst() throws Exception {
        try (WsClient a = server.connect("top-a"); WsClient b = server.connect("top-b"); WsClient c = server.connect("top-c")) {
            a.subscribe("top:three");
            b.subscribe("top:three");
            c.subscribe("top:three");
            a.subscribe("top:one");

            JsonNode body = json(server.get("/admin/api/channels?limit=200", AUTH));

            JsonNode first = body.path("channels").get(0);
            assertThat(first.path("channel").asText()).isEqualTo("top:three");
            assertThat(first.path("subscribers").asInt()).isEqualTo(3);
            assertThat(body.path("total").asInt()).isGreaterThanOrEqualTo(2);
            assertThat(json(server.get("/admin/api/channels?limit=1", AUTH)).path("channels")).hasSize(1);
            assertThat(server.get("/admin/api/channels?limit=0", AUTH).statusCode()).isEqualTo(400);
        }
    }

    @Test
    void aTestMessagePublishedFromTheDashboardReachesSubscribersAndShowsInHistory() throws Exception {
        try (WsClient watcher = server.connect("publish-watcher")) {
            watcher.subscribe("admin:test");

            JsonNode reply = json(server.post("/admin/api/publish",
                    "{\"channel\":\"admin:test\",\"payload\":{\"text\":\"hello\"}}", AUTH));
            JsonNode live = watcher.nextOfType("publication");
            JsonNode history = json(server.get("/admin/api/history?channel=admin:test&limit=5", AUTH));

            assertThat(reply.path("seq").asLong()).isEqualTo(1);
            assertThat(live.path("payload").path("text").asText()).isEqualTo("hello");
            assertThat(history.path("publications")).hasSize(1);
            assertThat(history.path("publications").get(0).path("payload").path("text").asText()).isEqualTo("hello");
            assertThat(history.path("seq").asLong()).isEqualTo(1);
        }
        assertThat(server.post("/admin/api/publish", "{\"channel\":\"bad channel\",\"payload\":1}", AUTH).statusCode())
                .isEqualTo(400);
        assertThat(server.post("/admin/api/publish", "not json", AUTH).statusCode()).isEqualTo(400);
        assertThat(server.get("/admin/api/history", AUTH).statusCode()).isEqualTo(400);
    }

    @Test
    void disconnectingAUserClosesAllItsConnectionsAndListsTheReason() throws Exception {
        WsClient first = server.connect("to-kick");
        WsClient second = server.connect("to-kick");
        try (WsClient bystander = server.connect("bystander")) {
            JsonNode reply = json(server.post("/admin/api/disconnect", "{\"userId\":\"to-kick\"}", AUTH));

            assertThat(reply.path("disconnected").asInt()).isEqualTo(2);
            JsonNode frame = first.nextOfType("disconnect");
            assertThat(frame.path("payload").path("code").asInt()).isEqualTo(4008);
            assertThat(frame.path("payload").path("reconnect").asBoolean()).isTrue();
            assertThat(second.closed().get()).isEqualTo(4008);
            assertThat(bystander.request(WsClient.command("ping")).path("type").asText()).isEqualTo("pong");
            await().atMost(Duration.ofSeconds(10)).until(() -> json(server.get("/admin/api/disconnects", AUTH))
                    .path("disconnects").findValuesAsText("userId").stream().filter("to-kick"::equals).count() == 2);
            JsonNode latest = json(server.get("/admin/api/disconnects", AUTH)).path("disconnects").get(0);
            assertThat(latest.path("reason").asText()).isEqualTo("disconnected by an administrator");
            assertThat(latest.path("code").asInt()).isEqualTo(4008);
        } finally {
            first.close();
            second.close();
        }
    }

    @Test
    void disconnectingWithoutReconnectTellsTheClientNotToComeBack() throws Exception {
        try (WsClient banned = server.connect("banned")) {
            JsonNode reply = json(server.post("/admin/api/disconnect", "{\"userId\":\"banned\",\"reconnect\":false}", AUTH));

            assertThat(reply.path("code").asInt()).isEqualTo(4003);
            JsonNode frame = banned.nextOfType("disconnect");
            assertThat(frame.path("payload").path("reconnect").asBoolean()).isFalse();
        }
        assertThat(json(server.post("/admin/api/disconnect", "{\"userId\":\"nobody-here\"}", AUTH))
                .path("disconnected").asInt()).isZero();
        assertThat(server.post("/admin/api/disconnect", "{\"userId\":\"x\",\"reconnect\":\"no\"}", AUTH).statusCode())
                .isEqualTo(400);
    }

    @Test
    void thePageAndUPlotAreServedFromTheJar() {
        HttpResponse<String> page = server.get("/admin");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/html"));
        assertThat(page.body()).contains("/admin/assets/uPlot.iife.min.js").contains("/admin/assets/admin.js");
        HttpResponse<String> uplot = server.get("/admin/assets/uPlot.iife.min.js");
        assertThat(uplot.statusCode()).isEqualTo(200);
        assertThat(uplot.body()).contains("uPlot");
        assertThat(server.get("/admin/assets/uPlot.min.css").statusCode()).isEqualTo(200);
        assertThat(server.get("/admin/assets/admin.js").body()).contains("/admin/api/");
        assertThat(server.get("/admin/assets/nope.js").statusCode()).isEqualTo(404);
    }

    @Test
    void theAdminKeyFallsBackToTheApiKey() {
        try (TestServer onlyApiKey = TestServer.start(Map.of("api.key", "shared"))) {
            assertThat(onlyApiKey.get("/admin/api/stats").statusCode()).isEqualTo(401);
            assertThat(onlyApiKey.get("/admin/api/stats", "Authorization", "apikey shared").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void withNoKeyTheAdminApiIsOpenInDevModeAndDisabledOtherwise() {
        try (TestServer dev = TestServer.start(); TestServer production = TestServer.start(Map.of("dev", "false",
                     "auth.jwt.secret", "a-production-secret-of-at-least-32-bytes"))) {
            assertThat(dev.get("/admin/api/stats").statusCode()).isEqualTo(200);
            HttpResponse<String> refused = production.get("/admin/api/stats");
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("admin.key");
        }
    }

    @Test
    void aUserTokenWithTheAdminRoleOpensTheAdminApiAndOneWithoutItIsForbidden() {
        try (TestServer production = TestServer.start(Map.of("dev", "false", "auth.jwt.secret", TestTokens.SECRET,
                "admin.key", "the-admin-key"))) {
            String admin = TestTokens.forUser("root", c -> c.claim("roles", List.of("admin")));
            String plain = TestTokens.forUser("alice");
            assertThat(production.get("/admin/api/stats", "Authorization", "Bearer " + admin).statusCode()).isEqualTo(200);
            HttpResponse<String> refused = production.get("/admin/api/stats", "Authorization", "Bearer " + plain);
            assertThat(refused.statusCode()).isEqualTo(403);
            assertThat(refused.body()).contains("admin");
            assertThat(production.get("/admin/api/stats", "Authorization", "Bearer not-a-token").statusCode()).isEqualTo(401);
            assertThat(production.get("/admin/api/stats", "Authorization", "apikey the-admin-key").statusCode()).isEqualTo(200);
        }
    }
}
