package dev.tandem.transport.oneway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestTokens;
import dev.tandem.testing.WsClient;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The HTTP fallbacks ({@code /sse}, {@code /stream}, {@code /poll}, {@code POST /session/{id}}) admit exactly
 * whom the WebSocket endpoint admits: the same token rules (production mode, no anonymous access) and the same
 * origin rules.
 */
class FallbackAuthAndOriginTest {
    static final String APP = "https://app.example.com";
    static final List<String> STREAMS = List.of("/sse", "/stream", "/poll");
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestTokens.production("server.allowedOrigins", APP));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void withoutATokenOrWithAForgedOneEveryFallbackIsUnauthorizedWithAJsonBody() throws Exception {
        String forged = TestTokens.forUser("mallory").replaceFirst("\\.[^.]*$", ".c2lnbmF0dXJl");
        for (String path : STREAMS) {
            for (String query : List.of("?wait=0", "?wait=0&token=" + forged)) {
                HttpResponse<String> response = server.get(path + query);
                assertThat(response.statusCode()).as(path + query).isEqualTo(401);
                assertThat(WsClient.JSON.readTree(response.body()).path("error").path("code").asText()).isEqualTo("unauthorized");
            }
        }
    }

    @Test
    void aValidTokenOpensAPollingSessionAsItsSubjectAndAnotherUsersTokenCannotCommandIt() throws Exception {
        HttpResponse<String> first = server.get("/poll?wait=0&token=" + TestTokens.forUser("alice"), "Origin", APP);
        assertThat(first.statusCode()).isEqualTo(200);
        JsonNode connected = WsClient.JSON.readTree(first.body()).path("frames").get(0);
        assertThat(connected.path("payload").path("userId").asText()).isEqualTo("alice");
        String session = connected.path("payload").path("connectionId").asText();
        HttpResponse<String> stranger = server.post("/session/" + session + "?token=" + TestTokens.forUser("bob"),
                "{\"type\":\"ping\"}");
        assertThat(stranger.statusCode()).isBetween(403, 404);
        HttpResponse<String> anonymous = server.post("/session/" + session, "{\"type\":\"ping\"}");
        assertThat(anonymous.statusCode()).isEqualTo(401);
    }

    @Test
    void aDisallowedOriginIsRefusedOnEveryFallbackAsOnTheWebSocket() {
        String token = TestTokens.forUser("alice");
        for (String path : STREAMS) {
            HttpResponse<String> response = server.get(path + "?wait=0&token=" + token, "Origin", "https://evil.example.com");
            assertThat(response.statusCode()).as(path).isEqualTo(403);
            assertThat(response.body()).contains("\"forbidden\"");
        }
        HttpResponse<String> post = server.post("/session/c_whatever?token=" + token, "{\"type\":\"ping\"}",
                "Origin", "https://evil.example.com");
        assertThat(post.statusCode()).isEqualTo(403);
    }
}
