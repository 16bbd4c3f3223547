package dev.tandem.transport.yjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestTokens;
import dev.tandem.testing.YjsWsClient;
import dev.tandem.yjs.Lib0Writer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Who may open {@code /yjs/{room}} and how the room is named: a token as {@code ?token=}, channel permissions
 * of {@code doc:{room}} (4403, final for y-websocket), the URL-decoded room shared with the HTTP API, and
 * multi-megabyte messages under {@code documents.maxMessageBytes}.
 */
class YjsAccessTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** A valid one-struct update: client 7 inserts {@code text} into the root text type {@code "t"}. */
    private static byte[] insert(String text) {
        return new Lib0Writer().varUint(1).varUint(1).varUint(7).varUint(0).uint8(4).varUint(1).varString("t")
                .varString(text).varUint(0).toByteArray();
    }

    private static byte[] updateMessage(byte[] update) {
        return new Lib0Writer().varUint(0).varUint(2).varBytes(update).toByteArray();
    }

    @Test
    void aTokenOpensTheDocumentItsChannelPermissionsAllowAndAnotherIsClosedWith4403() throws Exception {
        try (TestServer server = TestServer.start(TestTokens.production(
                "namespaces.doc.access.subscribe", "role:writer",
                "namespaces.doc.access.publish", "role:writer",
                "namespaces.doc.clientPublish", "true"))) {
            String writer = TestTokens.forUser("wendy", c -> c.claim("roles", List.of("writer")));
            String reader = TestTokens.forUser("rita");
            YjsWsClient allowed = YjsWsClient.connect(server, "spec?token=" + writer);
            assertThat(allowed.next()[0]).isZero(); // the server's sync step 1
            YjsWsClient refused = YjsWsClient.connect(server, "spec?token=" + reader);
            await().atMost(Duration.ofSeconds(10)).until(() -> refused.closeCode() != 0);
            assertThat(refused.closeCode()).isEqualTo(4403);
            allowed.abort();
        }
    }

    @Test
    void theRoomIsUrlDecodedAndIsTheDocumentTheHttpApiNames() throws Exception {
        try (TestServer server = TestServer.start()) {
            YjsWsClient editor = YjsWsClient.connect(server, "team%40acme%2Fnotes");
            editor.next();
            byte[] update = insert("from the API");
            HttpResponse<String> put = HTTP.send(HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + server.port() + "/api/docs/team@acme%2Fnotes"))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(update)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).isEqualTo(200);
            assertThat(editor.next()).isEqualTo(updateMessage(update));
            editor.abort();
        }
    }

    @Test
    void aMultiMegabyteUpdateUnderTheCapIsStoredAndRelayed() throws Exception {
        try (TestServer server = TestServer.start()) {
            YjsWsClient writer = YjsWsClient.connect(server, "big");
            YjsWsClient reader = YjsWsClient.connect(server, "big");
            writer.next();
            reader.next();
            char[] text = new char[3_000_000];
            Arrays.fill(text, 'x');
            byte[] update = insert(new String(text));
            writer.send(updateMessage(update));
            assertThat(reader.next()).isEqualTo(updateMessage(update));
            byte[] stored = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/docs/big"))
                    .build(), HttpResponse.BodyHandlers.ofByteArray()).body();
            assertThat(stored).isEqualTo(update);
            writer.abort();
            reader.abort();
        }
    }
}
