package dev.tandem.cli;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.ServerProcess;
import dev.tandem.testing.TestTokens;
import dev.tandem.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Production mode: it will not start without a key, and with only a key it starts with safe defaults. */
class ServeModeTest {
    @TempDir
    Path dir;

    @Test
    void serveWithoutAJwtKeyExitsWithTwoAndOneLineSayingWhatToSet() {
        String err = runCapturingStderr(2, "serve", "--port", "0", "--host", "127.0.0.1");
        assertThat(err.strip()).hasLineCount(1).contains("auth.jwt.secret").contains("TANDEM_AUTH_JWT_SECRET")
                .doesNotContain("Exception");
    }

    @Test
    void aSecretShorterThan32BytesIsRefusedAtStart() throws Exception {
        Path file = Files.writeString(dir.resolve("short.yaml"), "auth:\n  jwt:\n    secret: hunter2\n");
        String err = runCapturingStderr(2, "serve", "--config", file.toString(), "--port", "0", "--host", "127.0.0.1");
        assertThat(err.strip()).hasLineCount(1).contains("auth.jwt.secret").contains("at least 32 bytes")
                .doesNotContain("hunter2");
    }

    @Test
    void aSecretInTheEnvironmentAloneStartsAProductionServerWithSafeDefaults() throws Exception {
        try (ServerProcess server = ServerProcess.start(dir, Map.of("TANDEM_AUTH_JWT_SECRET", TestTokens.SECRET),
                "serve", "--host", "127.0.0.1")) {
            assertThat(server.output()).anyMatch(line -> line.contains("mode: serve"));
            try (WsClient alice = WsClient.connect(server.ws("token=" + TestTokens.forUser("alice")))) {
                assertThat(alice.connected().path("payload").path("userId").asText()).isEqualTo("alice");
                assertThat(alice.subscribe("room:a").path("type").asText()).isEqualTo("subscribed");
                assertThat(alice.subscribe("user:bob").path("payload").path("code").asText()).isEqualTo("forbidden");
            }
            try (WsClient anonymous = WsClient.connect(server.ws("user=admin"))) {
                JsonNode refused = anonymous.request(command("subscribe").put("channel", "room:a"));
                assertThat(refused.path("payload").path("code").asText()).isEqualTo("unauthorized");
            }
            HttpResponse<String> api = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/info")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(api.statusCode()).as("no api.key: the server API is closed").isEqualTo(401);
            assertThat(server.output()).noneMatch(line -> line.contains(TestTokens.SECRET));
        }
    }

    private static String runCapturingStderr(int expectedCode, String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(new TandemCommand()).execute(args)).isEqualTo(expectedCode);
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
