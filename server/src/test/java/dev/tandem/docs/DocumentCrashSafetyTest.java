package dev.tandem.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.ServerProcess;
import dev.tandem.testing.TestStore;
import dev.tandem.testing.YjsWsClient;
import dev.tandem.yjs.YUpdates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stops a real server process right after document updates arrived, restarts it on the same store, and checks
 * the document: after SIGKILL it holds every acknowledged update ({@code PUT /api/docs/{room}} answers once the
 * update is durable); after SIGTERM (graceful drain) every update an editor sent.
 */
class DocumentCrashSafetyTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final RecordedHistory HISTORY = RecordedHistory.withAtLeast(8);

    /** The child server's environment for a test store: its {@code store.*} keys as {@code TANDEM_*} variables. */
    private static Map<String, String> environment(Map<String, String> config) {
        Map<String, String> env = new HashMap<>();
        config.forEach((key, value) -> {
            if (key.startsWith("store.")) {
                env.put("TANDEM_" + key.replace('.', '_').toUpperCase(), value);
            }
        });
        env.put("TANDEM_DOCUMENTS_COMPACT_AFTER", "1000"); // nothing merged early: the appends alone must hold it
        return env;
    }

    private static HttpResponse<byte[]> send(ServerProcess server, String method, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/docs/crash"))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestStore.class)
    void everyAcknowledgedUpdateSurvivesSigkill(TestStore kind) throws Exception {
        Map<String, String> config = kind.fresh();
        Map<String, String> env = environment(config);
        Path dataDir = Path.of(config.get("dataDir"));
        List<byte[]> acknowledged = new ArrayList<>();
        ServerProcess first = ServerProcess.start(dataDir, env);
        try {
            for (byte[] update : HISTORY.updates()) {
                assertThat(send(first, "PUT", update).statusCode()).isEqualTo(200);
                acknowledged.add(update);
            }
            first.kill();
            first.process().waitFor(30, TimeUnit.SECONDS);
        } finally {
            first.close();
        }
        ServerProcess second = ServerProcess.start(dataDir, env);
        try {
            assertThat(send(second, "GET", null).body()).isEqualTo(YUpdates.merge(acknowledged));
        } finally {
            second.close();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestStore.class)
    void everyUpdateAnEditorSentSurvivesSigterm(TestStore kind) throws Exception {
        Map<String, String> config = kind.fresh();
        Map<String, String> env = environment(config);
        Path dataDir = Path.of(config.get("dataDir"));
        ServerProcess first = ServerProcess.start(dataDir, env);
        try {
            YjsWsClient editor = YjsWsClient.connect(first.port(), "crash");
            editor.next(); // server step 1
            for (byte[] update : HISTORY.updates()) {
                editor.send(SyncMessages.sync(SyncMessages.UPDATE, update));
            }
            for (int i = 0; i < HISTORY.updates().size(); i++) {
                editor.next(); // the room relays each update to its sender too: the server has them all
            }
            first.terminate();
            assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            first.close();
        }
        ServerProcess second = ServerProcess.start(dataDir, env);
        try {
            assertThat(send(second, "GET", null).body()).isEqualTo(HISTORY.merged());
        } finally {
            second.close();
        }
    }
}
