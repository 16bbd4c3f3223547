package dev.tandem.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestTokens;
import dev.tandem.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Browser origins: WebSocket handshakes and REST calls from pages the server does not trust are refused. */
class OriginPolicyTest {
    static final String APP = "https://app.example.com";
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestTokens.production("server.allowedOrigins", APP, "api.key", "k-123"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static int handshakeStatus(TestServer target, String origin) {
        Throwable failure = catchThrowable(() -> WsClient.connect(target.ws("token=" + TestTokens.forUser("o")), "Origin", origin).close());
        if (failure == null) {
            return 101;
        }
        Throwable cause = failure.getCause();
        assertThat(cause).isInstanceOf(WebSocketHandshakeException.class);
        return ((WebSocketHandshakeException) cause).getResponse().statusCode();
    }

    @Test
    void aWebSocketHandshakeFromADisallowedOriginIsRefusedWith403() {
        assertThat(handshakeStatus(server, "https://evil.example.com")).isEqualTo(403);
        assertThat(handshakeStatus(server, "null")).isEqualTo(403);
        assertThat(handshakeStatus(server, "http://localhost:3000")).as("localhost only in dev").isEqualTo(403);
    }

    @Test
    void theConfiguredOriginAndTheServersOwnOriginMayOpenWebSockets() {
        assertThat(handshakeStatus(server, APP)).isEqualTo(101);
        assertThat(handshakeStatus(server, "http://127.0.0.1:" + server.port())).isEqualTo(101);
    }

    @Test
    void devModeAlsoAllowsLocalhostOrigins() {
        try (TestServer dev = TestServer.start()) {
            assertThat(handshakeStatus(dev, "http://localhost:5173")).isEqualTo(101);
            assertThat(handshakeStatus(dev, "https://evil.example.com")).isEqualTo(403);
        }
    }

    @Test
    void restAnswersCorsForAnAllowedOriginByEchoingItNeverWithAStar() throws Exception {
        HttpResponse<String> response = server.get("/api/info", "Origin", APP, "Authorization", "apikey k-123");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
        assertThat(response.headers().firstValue("Vary")).hasValue("origin");
        assertThat(response.headers().firstValue("Access-Control-Allow-Credentials")).isEmpty();
    }

    @Test
    void aPreflightFromAnAllowedOriginListsTheApiMethodsAndHeaders() throws Exception {
        HttpRequest preflight = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/publish"))
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
                .header("Origin", APP).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization, content-type").build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(preflight, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(204);
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).hasValue(APP);
        assertThat(response.headers().firstValue("Access-Control-Allow-Methods").orElse("")).contains("POST");
        assertThat(response.headers().firstValue("Access-Control-Allow-Headers").orElse("")).contains("Authorization");
    }

    @Test
    void restFromADisallowedOriginIsRefusedWith403AndNoCorsHeaders() {
        HttpResponse<String> response = server.get("/api/info", "Origin", "https://evil.example.com", "Authorization", "apikey k-123");
        assertThat(response.statusCode()).isEqualTo(403);
        assertThat(response.body()).contains("\"forbidden\"");
        assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
    }

    @Test
    void requestsWithoutAnOriginAreNotBrowserRequestsAndPass() {
        assertThat(server.get("/health/live").statusCode()).isEqualTo(200);
    }
}
