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

class ServerApiBatchTest {
    static final String[] AUTH = {"Authorization", "apikey batch-key"};
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("api.key", "batch-key"));
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
    void aBatchIsPublishedInOrderAndAnswersEachSeq() throws Exception {
        try (WsClient watcher = server.connect("batch-watcher")) {
            watcher.subscribe("batch:a");

            JsonNode reply = json(server.post("/api/publish/batch", "{\"publications\":["
                    + "{\"channel\":\"batch:a\",\"payload\":1},{\"channel\":\"batch:b\",\"payload\":2},"
                    + "{\"channel\":\"batch:a\",\"payload\":3}]}", AUTH));

            assertThat(reply.path("results").findValuesAsText("channel")).containsExactly("batch:a", "batch:b", "batch:a");
            assertThat(reply.path("results").findValues("seq")).extracting(JsonNode::asLong).containsExactly(1L, 1L, 2L);
            assertThat(watcher.nextOfType("publication").path("payload").asInt()).isEqualTo(1);
            assertThat(watcher.nextOfType("publication").path("payload").asInt()).isEqualTo(3);
        }
    }

    @Test
    void aBatchWithOneBadItemPublishesNothing() {
        HttpResponse<String> response = server.post("/api/publish/batch", "{\"publications\":["
                + "{\"channel\":\"atomic:ok\",\"payload\":1},{\"channel\":\"not ok\",\"payload\":2}]}", AUTH);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(server.server().hub().channels()).noneMatch(c -> c.name().equals("atomic:ok"));
        assertThat(server.post("/api/publish/batch", "{\"publications\":[]}", AUTH).statusCode()).isEqualTo(400);
        assertThat(server.post("/api/publish/batch", "{\"publications\":[{\"channel\":\"x:y\"}]}", AUTH).statusCode())
                .isEqualTo(400);
    }

    @Test
    void aBroadcastPutsTheSamePayloadIntoEveryChannel() throws Exception {
        try (WsClient one = server.connect("b1"); WsClient two = server.connect("b2")) {
            one.subscribe("cast:one");
            two.subscribe("cast:two");

            JsonNode reply = json(server.post("/api/broadcast",
                    "{\"channels\":[\"cast:one\",\"cast:two\",\"cast:one\"],\"payload\":{\"alert\":true}}", AUTH));

            assertThat(reply.path("results")).hasSize(2);
            assertThat(one.nextOfType("publication").path("payload").path("alert").asBoolean()).isTrue();
            assertThat(two.nextOfType("publication").path("channel").asText()).isEqualTo("cast:two");
        }
        assertThat(server.post("/api/broadcast", "{\"channels\":[\"a:b\"]}", AUTH).statusCode()).isEqualTo(400);
        assertThat(server.post("/api/broadcast", "{\"channels\":[1],\"payload\":1}", AUTH).statusCode()).isEqualTo(400);
    }

    @Test
    void disconnectClosesTheUsersConnectionsWithTheRequestedReconnectAdvice() throws Exception {
        try (WsClient kicked = server.connect("api-kicked"); WsClient banned = server.connect("api-banned")) {
            JsonNode first = json(server.post("/api/disconnect", "{\"userId\":\"api-kicked\"}", AUTH));
            JsonNode second = json(server.post("/api/disconnect", "{\"userId\":\"api-banned\",\"reconnect\":false}", AUTH));

            assertThat(first.path("disconnected").asInt()).isEqualTo(1);
            assertThat(kicked.nextOfType("disconnect").path("payload").path("code").asInt()).isEqualTo(4008);
            assertThat(second.path("code").asInt()).isEqualTo(4003);
            assertThat(banned.nextOfType("disconnect").path("payload").path("reconnect").asBoolean()).isFalse();
        }
        assertThat(server.post("/api/disconnect", "{\"userId\":\"x\"}").statusCode()).isEqualTo(401);
    }
}
