package dev.tandem.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.TestServer;
import dev.tandem.yjs.Lib0Reader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file-backed document store ({@code documents.store: file}) through a real server: updates from a real {@code yjs} history are appended,
 * compacted into the exact bytes {@code Y.mergeUpdates} produces, unloaded when idle, and read back after a
 * restart, including after a crash left a torn record at the end of the file.
 */
class DocumentPersistenceTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String ROOM = "persist";
    private static List<byte[]> updates;
    private static byte[] merged;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void loadHistory() {
        RecordedHistory history = RecordedHistory.withAtLeast(8);
        updates = history.updates();
        merged = history.merged();
    }

    private TestServer start() {
        return TestServer.start(Map.of("dataDir", dataDir.toString(), "documents.store", "file",
                "documents.compactAfter", "3", "documents.idleUnload", "300ms"));
    }

    private static HttpResponse<byte[]> send(TestServer server, String method, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/docs/" + ROOM))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private Path file() {
        String name = Base64.getUrlEncoder().withoutPadding().encodeToString(ROOM.getBytes(StandardCharsets.UTF_8));
        return dataDir.resolve("docs").resolve(name + ".yupd");
    }

    private List<byte[]> records() throws Exception {
        Lib0Reader in = new Lib0Reader(Files.readAllBytes(file()));
        List<byte[]> records = new ArrayList<>();
        while (in.hasMore()) {
            records.add(in.varBytes());
        }
        return records;
    }

    @Test
    void appendedUpdatesAreCompactedIntoTheMergeYjsComputesAndUnloadedWhenIdle() throws Exception {
        try (TestServer server = start()) {
            for (byte[] update : updates) {
                assertThat(send(server, "PUT", update).statusCode()).isEqualTo(200);
            }
            assertThat(send(server, "GET", null).body()).isEqualTo(merged);
            assertThat(records().size()).isLessThan(updates.size());
            await().atMost(Duration.ofSeconds(20)).until(() -> server.server().documents().loadedRooms() == 0);
            // the unload hands the compaction to the store's worker, which merges and replaces asynchronously
            await().atMost(Duration.ofSeconds(20)).until(() -> records().size() == 1);
            assertThat(records().get(0)).isEqualTo(merged);
            assertThat(send(server, "GET", null).body()).isEqualTo(merged);
        }
    }

    @Test
    void aRestartReadsTheDocumentBackAndIgnoresATornLastRecord() throws Exception {
        try (TestServer server = start()) {
            for (byte[] update : updates) {
                send(server, "PUT", update);
            }
        }
        long whole = Files.size(file());
        Files.write(file(), new byte[] {0x40, 1, 2, 3}, StandardOpenOption.APPEND); // a record cut short by a crash
        try (TestServer server = start()) {
            assertThat(send(server, "GET", null).body()).isEqualTo(merged);
            assertThat(Files.size(file())).isEqualTo(whole);
        }
    }
}
