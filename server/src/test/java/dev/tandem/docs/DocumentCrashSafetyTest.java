package dev.tandem.docs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.ServerProcess;
import dev.tandem.testing.TestStore;
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
 * Kills a real server process with SIGKILL right after document updates were acknowledged ({@code PUT
 * /api/docs/{room}} answers once the update is durable), restarts it on the same store, and checks that the
 * document holds every acknowledged update.
 */
class DocumentCrashSafetyTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final RecordedHistory HISTORY = RecordedHistory.withAtLeast(8);

    private static HttpResponse<byte[]> send(ServerProcess server, String method, byte[] body) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/docs/crash"))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestStore.class)
    void everyAcknowledgedUpdateSurvivesSigkill(TestStore kind) throws Exception {
        Map<String, String> config = kind.fresh();
        Map<String, String> env = new HashMap<>();
        config.forEach((key, value) -> {
            if (key.startsWith("store.")) {
                env.put("TANDEM_" + key.replace('.', '_').toUpperCase(), value);
            }
        });
        env.put("TANDEM_DOCUMENTS_COMPACT_AFTER", "1000"); // nothing merged: the appended rows alone must hold it
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
}
