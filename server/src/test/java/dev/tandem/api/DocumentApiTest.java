package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.YjsWsClient;
import dev.tandem.yjs.YUpdates;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/docs/{room}} against a real server, and the sync answers a y-websocket client gets for a document
 * seeded over HTTP. The update used is a real document state produced by {@code yjs} (from the test vectors).
 */
class DocumentApiTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestServer server;
    private static byte[] document;

    @BeforeAll
    static void start() throws IOException {
        server = TestServer.start();
        try (InputStream in = DocumentApiTest.class.getResourceAsStream("/yjs/update-vectors.json")) {
            JsonNode c = new ObjectMapper().readTree(in).get("cases").get(3);
            document = HexFormat.of().parseHex(c.get("fullState").textValue());
        }
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<byte[]> send(TestServer target, String method, String path, byte[] body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @Test
    void anUnknownDocumentIsTheEmptyUpdate() throws Exception {
        HttpResponse<byte[]> r = send(server, "GET", "/api/docs/never-written", null);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/octet-stream");
        assertThat(r.body()).isEqualTo(YUpdates.EMPTY);
    }

    @Test
    void aSeededDocumentIsReturnedByGetAndGoneAfterDelete() throws Exception {
        assertThat(send(server, "PUT", "/api/docs/seeded", document).statusCode()).isEqualTo(200);
        assertThat(send(server, "GET", "/api/docs/seeded", null).body()).isEqualTo(document);
        assertThat(send(server, "DELETE", "/api/docs/seeded", null).statusCode()).isEqualTo(200);
        assertThat(send(server, "GET", "/api/docs/seeded", null).body()).isEqualTo(YUpdates.EMPTY);
    }

    @Test
    void aBodyThatIsNotAYjsUpdateIsRefusedWith400() throws Exception {
        HttpResponse<byte[]> r = send(server, "PUT", "/api/docs/garbage", new byte[] {5, 1, 2});
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(new String(r.body())).contains("bad_request").contains("Yjs update");
    }

    @Test
    void aRoomThatIsNotAValidChannelNameIsRefusedWith400() throws Exception {
        assertThat(send(server, "GET", "/api/docs/bad%20room", null).statusCode()).isEqualTo(400);
    }

    @Test
    void theDocumentRoutesRequireTheApiKeyWhenOneIsSet() throws Exception {
        try (TestServer guarded = TestServer.start(Map.of("api.key", "s3cret"))) {
            assertThat(send(guarded, "GET", "/api/docs/x", null).statusCode()).isEqualTo(401);
            assertThat(send(guarded, "DELETE", "/api/docs/x", null).statusCode()).isEqualTo(401);
            assertThat(send(guarded, "GET", "/api/docs/x", null, "Authorization", "apikey s3cret").statusCode())
                    .isEqualTo(200);
        }
    }

    @Test
    void aClientIsSentTheServersStepOneAndItsStepOneIsAnsweredWithExactlyWhatItLacks() throws Exception {
        send(server, "PUT", "/api/docs/synced", document);
        YjsWsClient client = YjsWsClient.connect(server, "synced");
        byte[] stepOne = client.next();
        assertThat(stepOne[0]).isEqualTo((byte) 0);
        assertThat(stepOne[1]).isEqualTo((byte) 0);
        assertThat(HexFormat.of().formatHex(stepOne)).endsWith(HexFormat.of().formatHex(YUpdates.stateVector(document)));
        client.send(new byte[] {0, 0, 1, 0}); // step 1, empty state vector
        byte[] stepTwo = client.next();
        assertThat(stepTwo[1]).isEqualTo((byte) 1);
        byte[] expected = YUpdates.diff(document, new byte[] {0});
        assertThat(HexFormat.of().formatHex(stepTwo)).endsWith(HexFormat.of().formatHex(expected));

        send(server, "DELETE", "/api/docs/synced", null);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.closeCode() == 4404);
    }

    @Test
    void anEmptyDocumentAnswersStepOneWithTheEmptyUpdate() throws Exception {
        YjsWsClient client = YjsWsClient.connect(server, "empty-one");
        assertThat(client.next()).isEqualTo(new byte[] {0, 0, 1, 0});
        client.send(new byte[] {0, 0, 1, 0});
        assertThat(client.next()).isEqualTo(new byte[] {0, 1, 2, 0, 0});
        client.abort();
    }
}
