package dev.tandem.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.ConfigLoader;
import dev.tandem.config.TandemConfig;
import dev.tandem.testing.TestStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The JDBC store itself on both databases: group commit, seq allocation, ordering of commit callbacks. */
class JdbcStoreTest {

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void manyAppendsOnManyChannelsAreCommittedInFewTransactionsWithGapFreeSeqs(TestStore kind) throws Exception {
        TandemConfig config = config(kind.fresh());
        int channels = 20;
        int perChannel = 200;
        try (JdbcStore store = JdbcStore.open(config.store(), config.dataDir())) {
            Map<String, List<Long>> committedOrder = new ConcurrentHashMap<>();
            List<CompletableFuture<Appended>> futures = new ArrayList<>();
            for (int i = 0; i < perChannel; i++) {
                for (int c = 0; c < channels; c++) {
                    String channel = "chat:c" + c;
                    futures.add(store.append(Append.publication(channel, "{\"i\":" + i + "}", "u", System.currentTimeMillis()),
                            a -> committedOrder.computeIfAbsent(channel, k -> new ArrayList<>()).add(a.event().seq())));
                }
            }
            CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            assertThat(store.transactions()).isLessThan(channels * perChannel / 10);
            for (int c = 0; c < channels; c++) {
                List<Long> seqs = committedOrder.get("chat:c" + c);
                assertThat(seqs).hasSize(perChannel);
                for (int i = 0; i < perChannel; i++) {
                    assertThat(seqs.get(i)).isEqualTo(i + 1L);
                }
                EventPage page = store.after("chat:c" + c, 0, 1000).get(10, TimeUnit.SECONDS);
                assertThat(page.latest()).isEqualTo(perChannel);
                assertThat(page.events()).extracting(StoredEvent::seq).hasSize(perChannel).doesNotHaveDuplicates();
                assertThat(page.events().get(perChannel - 1).payload()).isEqualTo("{\"i\":" + (perChannel - 1) + "}");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void aSteadyStreamOfWritesIsCommittedInBatchesThatWaitUpToTheCommitDelay(TestStore kind) throws Exception {
        Map<String, String> settings = new HashMap<>(kind.fresh());
        settings.put("store.commitDelay", "20ms");
        TandemConfig config = config(settings);
        int writes = 100;
        try (JdbcStore store = JdbcStore.open(config.store(), config.dataDir())) {
            long before = store.transactions();
            List<CompletableFuture<Appended>> futures = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < writes; i++) {
                LockSupport.parkNanos(start + i * 2_000_000L - System.nanoTime());
                futures.add(store.append(Append.publication("chat:stream", "{\"i\":" + i + "}", "u",
                        System.currentTimeMillis()), a -> { }));
            }
            CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            // One write every 2 ms for 200 ms: a commit takes less, so without the delay each write would be
            // committed alone; with it, about ten per batch.
            assertThat(store.transactions() - before).isLessThan(writes / 3);
            assertThat(futures.get(writes - 1).get().event().seq()).isEqualTo(writes);
        }
    }

    @Test
    void aLoneWriteAfterAQuietSpellIsCommittedWithoutWaitingForTheCommitDelay() throws Exception {
        Map<String, String> settings = new HashMap<>(TestStore.H2.fresh());
        settings.put("store.commitDelay", "100ms");
        TandemConfig config = config(settings);
        try (JdbcStore store = JdbcStore.open(config.store(), config.dataDir())) {
            List<Long> millis = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                Thread.sleep(150); // longer than the delay: the writer is idle when the write arrives
                long start = System.nanoTime();
                store.append(Append.publication("chat:quiet", "{}", "u", System.currentTimeMillis()), a -> { })
                        .get(10, TimeUnit.SECONDS);
                millis.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            }
            millis.sort(Long::compare);
            // A delayed write could not be acknowledged before 100 ms had passed since it was queued.
            assertThat(millis.get(2)).isLessThan(100);
        }
    }

    @Test
    void h2RunsWithTheConfiguredPageCacheSize() throws Exception {
        Map<String, String> settings = new HashMap<>(TestStore.H2.fresh());
        settings.put("store.h2.cacheSize", "262144");
        TandemConfig config = config(settings);
        try (JdbcStore store = JdbcStore.open(config.store(), config.dataDir());
             Connection connection = store.dataSource().getConnection();
             ResultSet rs = connection.createStatement().executeQuery(
                     "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'CACHE_SIZE'")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("256");
        }
    }

    @Test
    void twoNodesSharingPostgresNeverHandOutTheSameSeq() throws Exception {
        TandemConfig config = config(TestStore.POSTGRES.fresh());
        try (JdbcStore first = JdbcStore.open(config.store(), config.dataDir());
             JdbcStore second = JdbcStore.open(config.store(), config.dataDir())) {
            assertThat(second.epoch()).isEqualTo(first.epoch());
            ConcurrentLinkedQueue<Long> seqs = new ConcurrentLinkedQueue<>();
            List<CompletableFuture<Appended>> futures = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                JdbcStore node = i % 2 == 0 ? first : second;
                futures.add(node.append(Append.publication("chat:shared", "{}", null, System.currentTimeMillis()),
                        a -> seqs.add(a.event().seq())));
            }
            CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            assertThat(seqs).hasSize(1000).doesNotHaveDuplicates().allMatch(s -> s >= 1 && s <= 1000);
            EventPage page = first.after("chat:shared", 0, 1000).get(10, TimeUnit.SECONDS);
            assertThat(page.events()).hasSize(1000);
            assertThat(page.latest()).isEqualTo(1000);
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void aRepeatedClientMessageIdIsADuplicateOfTheFirstEvenWithinOneBatch(TestStore kind) throws Exception {
        TandemConfig config = config(kind.fresh());
        try (JdbcStore store = JdbcStore.open(config.store(), config.dataDir())) {
            List<CompletableFuture<Appended>> futures = new ArrayList<>();
            ConcurrentLinkedQueue<Long> fannedOut = new ConcurrentLinkedQueue<>();
            for (int i = 0; i < 50; i++) {
                futures.add(store.append(new Append("chat:idem", "message.new", "m" + i, "{}", "u", "same",
                        System.currentTimeMillis(), null), a -> fannedOut.add(a.event().seq())));
            }
            CompletableFuture.allOf(futures.toArray(new CompletableFuture[0])).get(30, TimeUnit.SECONDS);
            assertThat(futures).filteredOn(f -> !f.join().duplicate()).hasSize(1);
            Appended original = futures.stream().map(CompletableFuture::join).filter(a -> !a.duplicate()).findFirst().orElseThrow();
            assertThat(futures).allSatisfy(f -> {
                assertThat(f.join().event().seq()).isEqualTo(original.event().seq());
                assertThat(f.join().event().messageId()).isEqualTo(original.event().messageId());
            });
            assertThat(fannedOut).containsExactly(original.event().seq());
            Appended later = store.append(new Append("chat:idem", "message.new", "mx", "{}", "u", "same",
                    System.currentTimeMillis(), null), a -> fannedOut.add(-1L)).get(10, TimeUnit.SECONDS);
            assertThat(later.duplicate()).isTrue();
            assertThat(later.event().messageId()).isEqualTo(original.event().messageId());
            assertThat(store.after("chat:idem", 0, 100).get(10, TimeUnit.SECONDS).events()).hasSize(1);
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void aBurstOfNewRepeatedAndEarlierIdsOnSeveralChannelsClaimsEachNewIdOnce(TestStore kind) throws Exception {
        TandemConfig config = config(kind.fresh());
        try (JdbcStore store = JdbcStore.open(config.store(), config.dataDir())) {
            Map<String, Appended> earlier = new HashMap<>();
            for (int i = 0; i < 4; i++) {
                String channel = "chat:ids-" + (i % 2);
                earlier.put(channel + "/old" + i, store.append(new Append(channel, "message.new", "o" + i, "{}", "u",
                        "old" + i, System.currentTimeMillis(), null), a -> { }).get(10, TimeUnit.SECONDS));
            }
            Map<String, List<CompletableFuture<Appended>>> burst = new HashMap<>();
            for (int round = 0; round < 2; round++) {
                for (int i = 0; i < 8; i++) {
                    String channel = "chat:ids-" + (i % 2);
                    String id = i < 4 ? "old" + i : "new" + i;
                    burst.computeIfAbsent(channel + "/" + id, k -> new ArrayList<>()).add(store.append(new Append(
                            channel, "message.new", "b" + round + i, "{}", "u", id, System.currentTimeMillis(), null),
                            a -> { }));
                }
            }
            for (Map.Entry<String, List<CompletableFuture<Appended>>> sends : burst.entrySet()) {
                List<Appended> results = new ArrayList<>();
                for (CompletableFuture<Appended> send : sends.getValue()) {
                    results.add(send.get(10, TimeUnit.SECONDS));
                }
                Appended original = earlier.get(sends.getKey());
                if (original == null) {
                    assertThat(results).as(sends.getKey()).filteredOn(a -> !a.duplicate()).hasSize(1);
                    original = results.stream().filter(a -> !a.duplicate()).findFirst().orElseThrow();
                } else {
                    assertThat(results).as(sends.getKey()).allMatch(Appended::duplicate);
                }
                long seq = original.event().seq();
                assertThat(results).as(sends.getKey()).allSatisfy(a -> assertThat(a.event().seq()).isEqualTo(seq));
            }
            for (int c = 0; c < 2; c++) {
                assertThat(store.after("chat:ids-" + c, 0, 100).get(10, TimeUnit.SECONDS).events())
                        .as("two earlier and two new messages").hasSize(4);
            }
        }
    }

    static TandemConfig config(Map<String, String> overrides) {
        ConfigLoader loader = ConfigLoader.defaults();
        overrides.forEach(loader::set);
        return loader.load();
    }
}
