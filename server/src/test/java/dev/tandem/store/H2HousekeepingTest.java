package dev.tandem.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.TandemConfig;
import dev.tandem.store.h2.H2Housekeeping;
import dev.tandem.testing.LogCapture;
import dev.tandem.testing.TestStore;
import java.io.Closeable;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * H2 compaction under {@code WRITE_DELAY=0}: the same stream of small durable commits goes into two H2 stores,
 * one of them housekept as the server does; the housekept file is far smaller and its chunks far fuller, and
 * every event is still there. H2 only rewrites chunks older than its retention time (45 s), so both stores run
 * with it at 0 here: the chunks age at once, nothing else changes.
 */
class H2HousekeepingTest {
    private static final int CHANNELS = 16;
    private static final int ROUNDS = 3000;
    private static final int PER_ROUND = 4;
    private static final long HOUSEKEEP_EVERY_MILLIS = 50;
    private static final String PAYLOAD = "{\"text\":\"" + "x".repeat(300) + "\"}";

    @Test
    void housekeepingKeepsTheFileCompactUnderManySmallCommitsAndLosesNoEvent() throws Exception {
        TandemConfig housekeptConfig = JdbcStoreTest.config(TestStore.H2.fresh());
        TandemConfig plainConfig = JdbcStoreTest.config(TestStore.H2.fresh());
        try (JdbcStore housekept = JdbcStore.open(housekeptConfig.store(), housekeptConfig.dataDir());
             JdbcStore plain = JdbcStore.open(plainConfig.store(), plainConfig.dataDir())) {
            ageChunksAtOnce(housekept);
            ageChunksAtOnce(plain);
            AtomicBoolean rewrote = new AtomicBoolean();
            AtomicBoolean writing = new AtomicBoolean(true);
            CompletableFuture<Void> housekeeping = CompletableFuture.runAsync(() -> {
                while (writing.get()) {
                    if (housekept.housekeep().join().map(H2Housekeeping.Fill::rewrote).orElse(false)) {
                        rewrote.set(true);
                    }
                    sleep(HOUSEKEEP_EVERY_MILLIS);
                }
            });
            for (int round = 1; round <= ROUNDS; round++) {
                appendRound(housekept, round);
                appendRound(plain, round);
            }
            writing.set(false);
            housekeeping.get(10, TimeUnit.SECONDS);
            H2Housekeeping.Fill compacted = housekept.housekeep().get(10, TimeUnit.SECONDS).orElseThrow();
            long plainBytes = fileBytes(plain);
            int plainFill = chunksFillRate(plain);

            assertThat(rewrote).isTrue();
            assertThat(compacted.fileBytes()).isLessThan(plainBytes / 2);
            assertThat(compacted.chunksFillRate()).isGreaterThan(plainFill * 2);
            assertEveryEventIsReadable(housekept);
        }
    }

    @Test
    void aFailingStepIsLoggedOnceAndCompletesEmptyEveryTime() throws Exception {
        TandemConfig config = JdbcStoreTest.config(TestStore.H2.fresh());
        try (JdbcStore store = JdbcStore.open(config.store(), config.dataDir());
             LogCapture logs = new LogCapture()) {
            ((Closeable) store.dataSource()).close(); // every connection request fails from now on
            for (int i = 0; i < 5; i++) {
                assertThat(store.housekeep().get(10, TimeUnit.SECONDS)).isEmpty();
            }
            assertThat(logs.lines()).filteredOn(line -> line.contains("H2 compaction failed")).hasSize(1);
            assertThat(logs.lines()).noneMatch(line -> line.contains("store read failed"));
        }
    }

    @Test
    void housekeepingDoesNothingOnAFreshStore() throws Exception {
        TandemConfig config = JdbcStoreTest.config(TestStore.H2.fresh());
        try (JdbcStore store = JdbcStore.open(config.store(), config.dataDir())) {
            appendRound(store, 1);
            assertThat(store.housekeep().get(10, TimeUnit.SECONDS).orElseThrow().rewrote()).isFalse();
        }
    }

    private static void appendRound(JdbcStore store, int round) throws Exception {
        List<CompletableFuture<Appended>> futures = new ArrayList<>();
        for (int i = 0; i < PER_ROUND; i++) {
            String channel = channel(round * PER_ROUND + i);
            futures.add(store.append(Append.publication(channel, PAYLOAD, "u", System.currentTimeMillis()), a -> { }));
        }
        CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String channel(int n) {
        return "chat:c" + (n % CHANNELS);
    }

    private static void assertEveryEventIsReadable(JdbcStore store) throws Exception {
        int perChannel = ROUNDS * PER_ROUND / CHANNELS;
        for (int c = 0; c < CHANNELS; c++) {
            EventPage page = store.after("chat:c" + c, 0, perChannel + 1).get(10, TimeUnit.SECONDS);
            assertThat(page.latest()).isEqualTo(perChannel);
            assertThat(page.events()).extracting(StoredEvent::seq).hasSize(perChannel).doesNotHaveDuplicates()
                    .isSorted().startsWith(1L).endsWith((long) perChannel);
            assertThat(page.events()).extracting(StoredEvent::payload).containsOnly(PAYLOAD);
        }
    }

    private static void ageChunksAtOnce(JdbcStore store) throws Exception {
        try (Connection connection = store.dataSource().getConnection()) {
            H2Housekeeping.mvStore(connection).setRetentionTime(0);
        }
    }

    private static long fileBytes(JdbcStore store) throws Exception {
        try (Connection connection = store.dataSource().getConnection()) {
            return H2Housekeeping.mvStore(connection).getFileStore().size();
        }
    }

    private static int chunksFillRate(JdbcStore store) throws Exception {
        try (Connection connection = store.dataSource().getConnection()) {
            return H2Housekeeping.mvStore(connection).getFileStore().getChunksFillRate();
        }
    }
}
