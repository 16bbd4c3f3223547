package dev.tandem.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.ConfigLoader;
import dev.tandem.config.TandemConfig;
import dev.tandem.testing.TestStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
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

    static TandemConfig config(Map<String, String> overrides) {
        ConfigLoader loader = ConfigLoader.defaults();
        overrides.forEach(loader::set);
        return loader.load();
    }
}
