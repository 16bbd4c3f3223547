package dev.tandem.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.TypedUpdates;
import dev.tandem.yjs.Lib0Writer;
import dev.tandem.yjs.YUpdates;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Work proportional to a document never runs on the thread that hands a room a message (an event loop in the
 * server): sync answers are computed on the merger, compaction on the store's worker; and no sync answer is
 * computed before the stored document has loaded.
 */
class DocumentRoomWorkTest {
    private static final RecordedHistory HISTORY = RecordedHistory.withAtLeast(8);

    @TempDir
    Path dataDir;

    /** A peer that keeps what it is sent. */
    private static final class RecordingPeer implements DocumentPeer {
        final List<byte[]> sent = new CopyOnWriteArrayList<>();
        final String id;

        RecordingPeer() {
            this("c1");
        }

        RecordingPeer(String id) {
            this.id = id;
        }

        @Override
        public void send(byte[] message) {
            sent.add(message);
        }

        @Override
        public void close(int code, String reason) {
            throw new AssertionError("closed with " + code + ": " + reason);
        }

        @Override
        public String userId() {
            return "ada";
        }

        @Override
        public String connectionId() {
            return id;
        }
    }

    @Test
    void syncAnswersAreComputedOnTheMergerNotOnTheCallingThread() {
        List<Runnable> mergerQueue = new ArrayList<>();
        try (FileDocumentStore store = new FileDocumentStore(dataDir)) {
            DocumentRoom room = new DocumentRoom("answers", store, mergerQueue::add, DocumentPresence.NONE, 1000);
            room.onLoaded(HISTORY.updates());
            RecordingPeer peer = new RecordingPeer();
            room.join(peer);
            room.receive(peer, SyncMessages.sync(SyncMessages.STEP1, new Lib0Writer().varUint(0).toByteArray()));

            assertThat(peer.sent).isEmpty();
            assertThat(mergerQueue).hasSize(2);
            mergerQueue.forEach(Runnable::run);
            assertThat(peer.sent).containsExactly(
                    SyncMessages.sync(SyncMessages.STEP1, YUpdates.stateVector(HISTORY.merged())),
                    SyncMessages.sync(SyncMessages.STEP2, HISTORY.merged()));
        }
    }

    @Test
    void aClientIsNotSyncedBeforeTheStoredDocumentHasLoaded() {
        try (FileDocumentStore store = new FileDocumentStore(dataDir)) {
            DocumentRoom room = new DocumentRoom("loading", store, Runnable::run, DocumentPresence.NONE, 1000);
            RecordingPeer peer = new RecordingPeer();
            room.join(peer);
            room.receive(peer, SyncMessages.sync(SyncMessages.STEP1, new Lib0Writer().varUint(0).toByteArray()));
            assertThat(peer.sent).as("nothing is sent while the document loads").isEmpty();

            room.onLoaded(HISTORY.updates());
            assertThat(peer.sent).containsExactly(
                    SyncMessages.sync(SyncMessages.STEP1, YUpdates.stateVector(HISTORY.merged())),
                    SyncMessages.sync(SyncMessages.STEP2, HISTORY.merged()));
        }
    }

    @Test
    void compactionRunsOnTheStoreWorker() {
        List<String> compactedOn = new CopyOnWriteArrayList<>();
        DocumentStoreListener listener = new DocumentStoreListener() {
            @Override
            public void compacted(long nanos, long bytes) {
                compactedOn.add(Thread.currentThread().getName());
            }
        };
        try (FileDocumentStore store = new FileDocumentStore(dataDir, listener)) {
            DocumentRoom room = new DocumentRoom("compacted", store, Runnable::run, DocumentPresence.NONE, 3);
            room.onLoaded(List.of());
            RecordingPeer peer = new RecordingPeer();
            room.join(peer);
            for (byte[] update : HISTORY.updates().subList(0, 3)) {
                room.receive(peer, SyncMessages.sync(SyncMessages.UPDATE, update));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> !compactedOn.isEmpty());
            assertThat(compactedOn).containsExactly("tandem-docs-store");
            assertThat(store.load("compacted").join()).containsExactly(YUpdates.merge(HISTORY.updates().subList(0, 3)));
        }
    }

    @Test
    void anUpdateIsRelayedAsTheBytesItArrivedInAndAStep2AsAnUpdate() {
        try (FileDocumentStore store = new FileDocumentStore(dataDir)) {
            DocumentRoom room = new DocumentRoom("relayed", store, Runnable::run, DocumentPresence.NONE, 1000);
            room.onLoaded(List.of());
            RecordingPeer sender = new RecordingPeer("sender");
            RecordingPeer other = new RecordingPeer("other");
            room.join(sender);
            room.join(other);
            other.sent.clear();
            byte[] update = SyncMessages.sync(SyncMessages.UPDATE, HISTORY.updates().get(0));
            byte[] step2 = SyncMessages.sync(SyncMessages.STEP2, HISTORY.updates().get(1));

            room.receive(sender, update);
            room.receive(sender, step2);

            assertThat(other.sent).hasSize(2);
            assertThat(other.sent.get(0)).as("relayed without encoding it again").isSameAs(update);
            assertThat(other.sent.get(1)).isEqualTo(SyncMessages.sync(SyncMessages.UPDATE, HISTORY.updates().get(1)));
        }
    }

    @Test
    void aLongHistoryIsMergedInGrowingBatchesOnTheMergerAndAJoinerGetsAllOfIt() {
        List<Runnable> mergerQueue = new ArrayList<>();
        try (FileDocumentStore store = new FileDocumentStore(dataDir)) {
            DocumentRoom room = new DocumentRoom("batches", store, mergerQueue::add, DocumentPresence.NONE, 100_000);
            room.onLoaded(List.of());
            RecordingPeer editor = new RecordingPeer("editor");
            room.join(editor);
            mergerQueue.remove(0).run(); // the editor's welcome
            List<byte[]> typed = TypedUpdates.typed(9, 0, 10 * MergedDocument.MERGE_BATCH);
            int merges = 0;
            for (byte[] update : typed) {
                room.receive(editor, SyncMessages.sync(SyncMessages.UPDATE, update));
                merges += mergerQueue.size();
                mergerQueue.forEach(Runnable::run); // the merger keeps up
                mergerQueue.clear();
            }
            // the first batch is merged at once; later ones wait until the tail is a quarter of the merged update
            assertThat(merges).as("background merges, fewer than one per batch").isBetween(2, 9);

            RecordingPeer joiner = new RecordingPeer("joiner");
            room.join(joiner);
            room.receive(joiner, SyncMessages.sync(SyncMessages.STEP1, new Lib0Writer().varUint(0).toByteArray()));
            mergerQueue.forEach(Runnable::run);
            byte[] whole = YUpdates.merge(typed);
            assertThat(joiner.sent).containsExactly(
                    SyncMessages.sync(SyncMessages.STEP1, YUpdates.stateVector(whole)),
                    SyncMessages.sync(SyncMessages.STEP2, whole));
        }
    }
}
