package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServerApiTest {
    static final String KEY = "test-key-123";
    static final String[] AUTH = {"Authorization", "apikey " + KEY};
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("api.key", KEY));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void publishThroughTheApiReachesWebSocketSubscribersAndReturnsTheSeq() throws Exception {
        try (WsClient client = server.connect("watcher")) {
            client.subscribe("news:api");
            HttpResponse<String> response = server.post("/api/publish",
                    "{\"channel\":\"news:api\",\"payload\":{\"headline\":\"hello\"}}", AUTH);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json(response).path("seq").asLong()).isEqualTo(1);
            JsonNode publication = client.nextOfType("publication");
            assertThat(publication.path("seq").asLong()).isEqualTo(1);
            assertThat(publication.path("payload").path("headline").asText()).isEqualTo("hello");
            assertThat(publication.has("userId")).as("server publishes have no user").isFalse();
        }
    }

    @Test
    void historyPagesForwardAndBackwardWithTheLiveFrames() throws Exception {
        for (int i = 1; i <= 5; i++) {
            server.post("/api/publish", "{\"channel\":\"news:pages\",\"payload\":{\"i\":" + i + "}}", AUTH);
        }
        JsonNode forward = json(server.get("/api/channels/news:pages/history?after=1&limit=2", AUTH));
        assertThat(forward.path("publications")).extracting(p -> p.path("seq").asLong()).containsExactly(2L, 3L);
        assertThat(forward.path("more").asBoolean()).isTrue();
        assertThat(forward.path("seq").asLong()).isEqualTo(5);
        assertThat(forward.path("publications").get(0).path("type").asText()).isEqualTo("publication");

        JsonNode backward = json(server.get("/api/channels/news:pages/history?before=5&limit=3", AUTH));
        assertThat(backward.path("publications")).extracting(p -> p.path("seq").asLong()).containsExactly(2L, 3L, 4L);
        assertThat(backward.path("more").asBoolean()).isTrue();

        JsonNode newest = json(server.get("/api/channels/news:pages/history", AUTH));
        assertThat(newest.path("publications")).hasSize(5);
        assertThat(newest.path("more").asBoolean()).isFalse();
    }

    @Test
    void historyOverWebSocketMatchesTheApi() {
        try (WsClient client = server.connect("reader")) {
            server.post("/api/publish", "{\"channel\":\"news:ws-history\",\"payload\":1}", AUTH);
            server.post("/api/publish", "{\"channel\":\"news:ws-history\",\"payload\":2}", AUTH);
            JsonNode history = client.request(WsClient.command("history").put("channel", "news:ws-history").put("after", 0));
            assertThat(history.path("type").asText()).isEqualTo("history");
            assertThat(history.path("payload").path("publications")).extracting(p -> p.path("payload").asInt())
                    .containsExactly(1, 2);
            assertThat(history.path("payload").path("epoch").asText()).isNotEmpty();
        }
    }

    @Test
    void channelsListsActiveChannelsWithSubscriberCounts() throws Exception {
        try (WsClient a = server.connect("a"); WsClient b = server.connect("b")) {
            a.subscribe("news:listed");
            b.subscribe("news:listed");
            JsonNode channels = json(server.get("/api/channels", AUTH)).path("channels");
            assertThat(channels).anySatisfy(c -> {
                assertThat(c.path("channel").asText()).isEqualTo("news:listed");
                assertThat(c.path("subscribers").asInt()).isEqualTo(2);
            });
        }
    }

    @Test
    void infoDescribesTheNode() throws Exception {
        JsonNode info = json(server.get("/api/info", AUTH));
        assertThat(info.path("name").asText()).isEqualTo("tandem");
        assertThat(info.path("protocol").asInt()).isEqualTo(1);
    }

    @Test
    void everyApiRouteRefusesAMissingOrWrongKey() throws Exception {
        for (String path : new String[] {"/api/info", "/api/channels", "/api/channels/news:x/history"}) {
            HttpResponse<String> missing = server.get(path);
            assertThat(missing.statusCode()).isEqualTo(401);
            assertThat(json(missing).path("error").path("code").asText()).isEqualTo("unauthorized");
            assertThat(server.get(path, "Authorization", "apikey wrong").statusCode()).isEqualTo(401);
        }
        assertThat(server.post("/api/publish", "{\"channel\":\"news:x\",\"payload\":1}").statusCode()).isEqualTo(401);
    }

    @Test
    void badRequestsGetJsonErrors() throws Exception {
        assertError(server.post("/api/publish", "{not json", AUTH), 400, "malformed JSON");
        assertError(server.post("/api/publish", "{\"payload\":1}", AUTH), 400, "'channel' is required");
        assertError(server.post("/api/publish", "{\"channel\":\"bad channel\",\"payload\":1}", AUTH), 400, "may only contain");
        assertError(server.get("/api/channels/news:x/history?limit=abc", AUTH), 400, "'limit'");
        assertError(server.get("/api/nothing-here", AUTH), 404, "no such endpoint");
        assertError(server.get("/api/publish", AUTH), 405, "not allowed");
    }

    private static void assertError(HttpResponse<String> response, int status, String message) throws Exception {
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v).contains("json"));
        assertThat(json(response).path("error").path("message").asText()).contains(message);
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return WsClient.JSON.readTree(response.body());
    }
}
