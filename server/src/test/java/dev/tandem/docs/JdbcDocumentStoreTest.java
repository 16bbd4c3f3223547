package dev.tandem.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestStore;
import dev.tandem.testing.YjsWsClient;
import dev.tandem.yjs.YUpdates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The default document store, table {@code doc_updates} in the durable store's database, through a real server
 * on embedded H2 and on the real PostgreSQL: updates are appended as rows, compacted into the exact bytes
 * {@code Y.mergeUpdates} produces, survive a restart, and an empty document never overwrites a stored one.
 */
class JdbcDocumentStoreTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static List<byte[]> updates;
    private static byte[] merged;

    @BeforeAll
    static void loadHistory() {
        RecordedHistory history = RecordedHistory.withAtLeast(8);
        updates = history.updates();
        merged = history.merged();
    }

    private static Map<String, String> config(TestStore kind, String compactAfter) {
        Map<String, String> config = new HashMap<>(kind.fresh());
        config.put("documents.compactAfter", compactAfter);
        config.put("documents.idleUnload", "300ms");
        return config;
    }

    private static HttpResponse<byte[]> send(TestServer server, String method, String room, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/api/docs/" + room))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The rows stored for {@code room}, read through the server's own pool (H2 allows one process per file). */
    private static List<byte[]> rows(TestServer server, String room) throws Exception {
        return server.server().store().read(connection -> {
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT data FROM doc_updates WHERE room = ? ORDER BY id")) {
                select.setString(1, room);
                List<byte[]> rows = new ArrayList<>();
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        rows.add(rs.getBytes(1));
                    }
                }
                return rows;
            }
        }).get(10, TimeUnit.SECONDS);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestStore.class)
    void updatesAreStoredAsRowsAndCompactedIntoTheMergeYjsComputes(TestStore kind) throws Exception {
        try (TestServer server = TestServer.start(config(kind, "1000"))) {
            for (byte[] update : updates) {
                assertThat(send(server, "PUT", "rows", update).statusCode()).isEqualTo(200);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> rows(server, "rows").size() == updates.size());
            assertThat(rows(server, "rows")).containsExactlyElementsOf(updates);
            await().atMost(Duration.ofSeconds(20)).until(() -> server.server().documents().loadedRooms() == 0);
            // the unload hands the compaction to the store's worker, which merges and replaces asynchronously
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(server, "rows").size() == 1);
            assertThat(rows(server, "rows")).containsExactly(merged);
            assertThat(send(server, "GET", "rows", null).body()).isEqualTo(merged);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestStore.class)
    void aRoomIsCompactedEveryCompactIntervalWhileItStaysOpen(TestStore kind) throws Exception {
        Map<String, String> config = config(kind, "1000");
        config.put("documents.compactInterval", "200ms");
        try (TestServer server = TestServer.start(config)) {
            YjsWsClient editor = YjsWsClient.connect(server, "periodic"); // keeps the room loaded
            editor.next();
            for (byte[] update : updates) {
                send(server, "PUT", "periodic", update);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> rows(server, "periodic").size() == 1);
            assertThat(rows(server, "periodic")).containsExactly(merged);
            assertThat(server.server().documents().loadedRooms()).isEqualTo(1);
            editor.abort();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestStore.class)
    void theDocumentSurvivesARestart(TestStore kind) throws Exception {
        Map<String, String> config = config(kind, "3");
        config.put("documents.idleUnload", "1h");
        try (TestServer server = TestServer.start(config)) {
            for (byte[] update : updates) {
                send(server, "PUT", "restart", update);
            }
        }
        try (TestServer server = TestServer.start(config)) {
            assertThat(send(server, "GET", "restart", null).body()).isEqualTo(merged);
            assertThat(rows(server, "restart")).containsExactly(merged); // the shutdown compacted it
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestStore.class)
    void anEmptyDocumentNeverOverwritesAStoredOne(TestStore kind) throws Exception {
        Map<String, String> config = config(kind, "2");
        try (TestServer server = TestServer.start(config)) {
            for (byte[] update : updates) {
                send(server, "PUT", "kept", update);
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> server.server().documents().loadedRooms() == 0);

            // A client with an empty document joins, syncs with empty updates and leaves: nothing it sends is stored.
            YjsWsClient empty = YjsWsClient.connect(server, "kept");
            empty.next(); // server step 1
            empty.send(new byte[] {0, 0, 1, 0}); // sync step 1 with an empty state vector
            assertThat(empty.next()).isEqualTo(withHeader(merged)); // step 2: the whole stored document
            empty.send(new byte[] {0, 1, 2, 0, 0}); // its own step 2: an empty update
            empty.send(new byte[] {0, 2, 2, 0, 0}); // an empty update
            empty.abort();
            await().atMost(Duration.ofSeconds(20)).until(() -> server.server().documents().loadedRooms() == 0);
            assertThat(rows(server, "kept")).containsExactly(merged);

            // The store itself refuses to let an empty merge replace stored rows.
            DocumentStore store = new JdbcDocumentStore(server.server().dataSource(),
                    DocumentStoreListener.NONE);
            assertThat(store.compact("kept", List.of(YUpdates.EMPTY)).get()).isEqualTo(YUpdates.EMPTY);
            assertThat(store.compact("kept", List.of()).get()).isEqualTo(YUpdates.EMPTY);
            store.close();
            assertThat(rows(server, "kept")).containsExactly(merged);
        }
        try (TestServer server = TestServer.start(config)) {
            assertThat(send(server, "GET", "kept", null).body()).isEqualTo(merged);
        }
    }

    /** A sync step 2 message carrying {@code update}. */
    private static byte[] withHeader(byte[] update) {
        return SyncMessages.sync(SyncMessages.STEP2, update);
    }
}
