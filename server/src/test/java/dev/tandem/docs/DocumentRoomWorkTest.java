package dev.tandem.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
            return "c1";
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
}
