package dev.tandem.transport.oneway;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.StreamTransportClient;
import dev.tandem.testing.TestServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SessionCommandEndpointTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("transports.maxFramesPerPost", "5"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static HttpResponse<String> post(String session, String user, String body) {
        return server.post("/session/" + session + "?user=" + user, body);
    }

    @Test
    void anArrayOfFramesIsDispatchedInOrderWithRepliesOnTheStream() {
        try (StreamTransportClient client = StreamTransportClient.open(server, "batch", true, null)) {
            String session = client.connected().path("payload").path("connectionId").asText();
            HttpResponse<String> response = post(session, "batch", "[{\"type\":\"subscribe\",\"channel\":\"cmd:a\",\"requestId\":1},"
                    + "{\"type\":\"publish\",\"channel\":\"cmd:a\",\"payload\":{},\"requestId\":2},"
                    + "{\"type\":\"ping\",\"requestId\":3}]");
            assertThat(response.statusCode()).isEqualTo(202);
            assertThat(response.body()).isEqualTo("{\"accepted\":3}");
            assertThat(client.nextOfType("subscribed").path("requestId").asInt()).isEqualTo(1);
            assertThat(client.nextOfType("publication").path("seq").asLong()).isEqualTo(1);
            assertThat(client.nextOfType("ack").path("requestId").asInt()).isEqualTo(2);
            assertThat(client.nextOfType("pong").path("requestId").asInt()).isEqualTo(3);
        }
    }

    @Test
    void aCommandMistakeIsAnErrorFrameOnTheStreamCarryingItsRequestId() {
        try (StreamTransportClient client = StreamTransportClient.open(server, "oops", true, null)) {
            String session = client.connected().path("payload").path("connectionId").asText();
            assertThat(post(session, "oops", "{\"type\":\"subscribe\",\"channel\":\"bad channel\",\"requestId\":\"x\"}")
                    .statusCode()).isEqualTo(202);
            JsonNode error = client.nextOfType("error");
            assertThat(error.path("requestId").asText()).isEqualTo("x");
            assertThat(error.path("payload").path("code").asText()).isEqualTo("bad_request");
            assertThat(client.request(command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void aMalformedBodyIsABadRequestAndDispatchesNothing() {
        try (StreamTransportClient client = StreamTransportClient.open(server, "malformed", true, null)) {
            String session = client.connected().path("payload").path("connectionId").asText();
            HttpResponse<String> response = post(session, "malformed", "[{\"type\":\"ping\",\"requestId\":1}, 42]");
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.body()).contains("\"code\":\"bad_request\"").contains("JSON object");
            assertThat(post(session, "malformed", "{nope").statusCode()).isEqualTo(400);
            assertThat(post(session, "malformed", "[]").statusCode()).isEqualTo(400);
            String id = client.send(command("ping"));
            JsonNode next = client.poll(Duration.ofSeconds(10));
            assertThat(next.path("requestId").asText()).as("first frame after the refused posts").isEqualTo(id);
        }
    }

    @Test
    void moreFramesThanTheLimitAreRefusedAsTooLarge() {
        try (StreamTransportClient client = StreamTransportClient.open(server, "many", true, null)) {
            String session = client.connected().path("payload").path("connectionId").asText();
            String six = "[" + String.join(",", Collections.nCopies(6, "{\"type\":\"ping\"}")) + "]";
            HttpResponse<String> response = post(session, "many", six);
            assertThat(response.statusCode()).isEqualTo(413);
            assertThat(response.body()).contains("\"code\":\"too_large\"");
        }
    }

    @Test
    void anUnknownSessionIsNotFound() {
        HttpResponse<String> response = post("c_doesnotexist", "nobody", "{\"type\":\"ping\"}");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).contains("\"code\":\"not_found\"");
    }

    @Test
    void anotherUsersSessionIsNotReachable() {
        try (StreamTransportClient client = StreamTransportClient.open(server, "owner", true, null)) {
            String session = client.connected().path("payload").path("connectionId").asText();
            assertThat(post(session, "intruder", "{\"type\":\"ping\"}").statusCode()).isEqualTo(404);
            assertThat(post(session, "owner", "{\"type\":\"ping\"}").statusCode()).isEqualTo(202);
        }
    }

    @Test
    void sessionIdsCarryMoreThan120RandomBits() {
        try (StreamTransportClient client = StreamTransportClient.open(server, "ids", true, null)) {
            String id = client.connected().path("payload").path("connectionId").asText();
            assertThat(id).matches("c_[0-9a-z]{16,}");
        }
    }
}
