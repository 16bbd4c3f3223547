package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.docs.DocumentStoreListener;
import dev.tandem.docs.JdbcDocumentStore;
import dev.tandem.docs.RecordedHistory;
import dev.tandem.testing.NodeScript;
import dev.tandem.testing.ServerProcess;
import dev.tandem.testing.YjsWsClient;
import dev.tandem.yjs.Lib0Reader;
import dev.tandem.yjs.Lib0Writer;
import dev.tandem.yjs.YUpdates;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Collaborative documents on two real nodes (child JVMs) sharing the local Redis and PostgreSQL: editors of one
 * room on different nodes are one document, and the shared store holds it exactly once however many nodes hold
 * the room.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DocumentClusterTest {
    private static final NodeScript INTEROP = NodeScript.of("yjs", "interop.mjs");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private ClusterNodes cluster;

    @BeforeAll
    void startCluster() throws Exception {
        INTEROP.install();
        // No compaction while updates arrive (each stored row is one update); rooms unload soon after their last
        // editor leaves, compacting on both nodes at about the same time.
        cluster = ClusterNodes.start(ClusterNodes.LOCAL_REDIS, 3,
                Map.of("TANDEM_DOCUMENTS_COMPACT_AFTER", "10000", "TANDEM_DOCUMENTS_IDLE_UNLOAD", "1s"));
    }

    @AfterAll
    void stopCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @Order(1)
    void yWebsocketEditorsOnDifferentNodesConvergeAndSeeEachOthersAwareness() {
        String output = INTEROP.run("cluster", cluster.node(0).port(), cluster.node(1).port(), "cluster-room");
        assertThat(output).contains("OK cluster");
    }

    @Test
    @Order(2)
    void everyUpdateIsStoredOnceByItsNodeAndConcurrentCompactionsLoseNothing() throws Exception {
        String room = "stored-once";
        RecordedHistory history = RecordedHistory.withAtLeast(8);
        YjsWsClient onA = YjsWsClient.connect(cluster.node(0).port(), room);
        YjsWsClient onB = YjsWsClient.connect(cluster.node(1).port(), room);
        try {
            List<byte[]> updates = history.updates();
            for (int i = 0; i < updates.size(); i++) {
                assertThat(put(cluster.node(i % 2), room, updates.get(i)).statusCode()).isEqualTo(200);
            }
            for (int n = 0; n < 2; n++) {
                ServerProcess node = cluster.node(n);
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(stateVector(get(node, room)))
                        .as(node + " holds every update").isEqualTo(stateVector(history.merged())));
            }
            assertThat(storedRows(room)).as("each update stored once, by the node it came through")
                    .hasSize(updates.size());
        } finally {
            onA.abort();
            onB.abort();
        }
        // Both nodes unload the idle room, each compacting its copy into the store.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> storedRows(room).size() <= 2);
        Thread.sleep(1500); // let a second compaction, if one is still running, finish
        List<byte[]> stored = storedRows(room);
        assertThat(stored).isNotEmpty();
        byte[] document = stored.size() == 1 ? stored.get(0) : YUpdates.merge(stored);
        assertThat(stateVector(document)).as("the stored document lost nothing").isEqualTo(stateVector(history.merged()));
        assertThat(YUpdates.diff(document, YUpdates.stateVector(history.merged())))
                .as("and holds nothing more").isEqualTo(YUpdates.diff(history.merged(), YUpdates.stateVector(history.merged())));
    }

    @Test
    @Order(3)
    void aCompactionKeepsWhatAnotherNodeStoredButNeverRelayedHere() throws Exception {
        String room = "unseen";
        List<byte[]> updates = RecordedHistory.withAtLeast(8).updates();
        assertThat(put(cluster.node(0), room, updates.get(0)).statusCode()).isEqualTo(200);
        // Another node's append whose relay message was lost: in the store, not in node 0's copy.
        try (Connection db = cluster.database().getConnection(); PreparedStatement insert = db.prepareStatement(
                "INSERT INTO doc_updates (room, data, created_at) VALUES (?, ?, ?)")) {
            insert.setString(1, room);
            insert.setBytes(2, updates.get(1));
            insert.setLong(3, System.currentTimeMillis());
            insert.executeUpdate();
        }
        // Node 0 unloads the idle room, compacting its copy into the store.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> storedRows(room).size() == 1);
        assertThat(stateVector(storedRows(room).get(0))).as("the other node's update survived the compaction")
                .isEqualTo(stateVector(YUpdates.merge(updates.subList(0, 2))));
    }

    @Test
    @Order(4) // takes node 2 away
    void awarenessOfAnEditorOnADrainedNodeGoesForTheEditorsOnTheOthers() throws Exception {
        assertAwarenessGoesWhenItsNodeGoes("drained-editor", cluster.node(2), ServerProcess::terminate);
    }

    @Test
    @Order(5) // takes node 0 away
    void awarenessOfAnEditorOnAKilledNodeGoesForTheEditorsOnTheOthers() throws Exception {
        // Removed when node 0 is declared dead (nodeTtl 3 s), not left to the clients' 30 s timeout.
        assertAwarenessGoesWhenItsNodeGoes("killed-editor", cluster.node(0), ServerProcess::kill);
    }

    /** An editor on {@code node} announces itself; a watcher on node 1 sees it, then sees it go when the node goes. */
    private void assertAwarenessGoesWhenItsNodeGoes(String room, ServerProcess node, Consumer<ServerProcess> stop)
            throws Exception {
        long ada = 4242;
        YjsWsClient watcher = YjsWsClient.connect(cluster.node(1).port(), room);
        YjsWsClient editor = YjsWsClient.connect(node.port(), room);
        try {
            editor.send(new Lib0Writer().varUint(1).varBytes(new Lib0Writer().varUint(1).varUint(ada).varUint(1)
                    .varString("{\"user\":{\"name\":\"ada\"}}").toByteArray()).toByteArray());
            assertThat(nextAwarenessOf(watcher, ada)).contains("ada");
            stop.accept(node);
            assertThat(nextAwarenessOf(watcher, ada)).isEqualTo("null");
        } finally {
            watcher.abort();
            editor.abort();
        }
    }

    /** The next awareness state of Yjs client {@code client} that {@code watcher} receives, within 20 s. */
    private static String nextAwarenessOf(YjsWsClient watcher, long client) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            Lib0Reader message = new Lib0Reader(watcher.next());
            if (message.varUint() != 1) {
                continue; // sync
            }
            Lib0Reader update = new Lib0Reader(message.varBytes());
            for (long n = update.varUint(); n > 0; n--) {
                long id = update.varUint();
                update.varUint();
                String state = update.varString();
                if (id == client) {
                    return state;
                }
            }
        }
        throw new AssertionError("no awareness of client " + client + " within 20 s");
    }

    private static String stateVector(byte[] update) {
        return HexFormat.of().formatHex(YUpdates.stateVector(update));
    }

    /** The rows of {@code room}, read as a node reads them when it loads the room. */
    private List<byte[]> storedRows(String room) throws Exception {
        JdbcDocumentStore store = new JdbcDocumentStore(cluster.database(), DocumentStoreListener.NONE);
        try {
            return store.load(room).get(10, TimeUnit.SECONDS);
        } finally {
            store.close();
        }
    }

    private static HttpResponse<byte[]> put(ServerProcess node, String room, byte[] update) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + "/api/docs/" + room))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(update)).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static byte[] get(ServerProcess node, String room) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + node.port() + "/api/docs/" + room)).GET().build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
