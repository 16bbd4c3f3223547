package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestTokens;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** The server API in production: API keys for back ends, bearer tokens for what a user may read. */
class ApiAccessTest {

    @Test
    void withoutAConfiguredKeyTheApiRefusesEveryRequestInProduction() {
        try (TestServer server = TestServer.start(TestTokens.production())) {
            HttpResponse<String> info = server.get("/api/info");
            assertThat(info.statusCode()).isEqualTo(401);
            assertThat(info.body()).contains("api.key");
            assertThat(server.post("/api/publish", "{\"channel\":\"room:a\",\"payload\":1}").statusCode()).isEqualTo(401);
        }
    }

    @Test
    void theApiKeyOpensEveryRouteAndAWrongOneNone() {
        try (TestServer server = TestServer.start(TestTokens.production("api.key", "backend-key"))) {
            assertThat(server.get("/api/info", "Authorization", "apikey backend-key").statusCode()).isEqualTo(200);
            assertThat(server.post("/api/publish", "{\"channel\":\"room:a\",\"payload\":1}", "Authorization", "apikey backend-key")
                    .statusCode()).isEqualTo(200);
            assertThat(server.get("/api/info", "Authorization", "apikey guess").statusCode()).isEqualTo(401);
            assertThat(server.get("/api/info", "Authorization", "Bearer " + TestTokens.forUser("alice")).statusCode())
                    .as("a user token is not an API key").isEqualTo(401);
        }
    }

    @Test
    void aUserMayReadHistoryWithABearerTokenOnlyWhereChannelAccessAllows() {
        try (TestServer server = TestServer.start(TestTokens.production("api.key", "backend-key"))) {
            server.post("/api/publish", "{\"channel\":\"user:alice:notes\",\"payload\":{\"n\":1}}", "Authorization", "apikey backend-key");
            String alice = "Bearer " + TestTokens.forUser("alice");
            HttpResponse<String> own = server.get("/api/channels/user:alice:notes/history", "Authorization", alice);
            assertThat(own.statusCode()).isEqualTo(200);
            assertThat(own.body()).contains("\"n\":1");
            HttpResponse<String> other = server.get("/api/channels/user:alice:notes/history",
                    "Authorization", "Bearer " + TestTokens.forUser("mallory"));
            assertThat(other.statusCode()).isEqualTo(403);
            assertThat(other.body()).contains("\"forbidden\"").doesNotContain("\"n\":1");
            HttpResponse<String> forged = server.get("/api/channels/user:alice:notes/history",
                    "Authorization", "Bearer " + TestTokens.none(TestTokens.claims("alice").build()));
            assertThat(forged.statusCode()).isEqualTo(401);
            assertThat(server.post("/api/publish", "{\"channel\":\"user:alice\",\"payload\":1}", "Authorization", alice)
                    .statusCode()).as("users cannot publish through the server API").isEqualTo(401);
        }
    }
}
