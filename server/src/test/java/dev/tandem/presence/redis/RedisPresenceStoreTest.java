package dev.tandem.presence.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.cluster.RedisConnection;
import dev.tandem.cluster.RedisMetrics;
import dev.tandem.cluster.RedisTestSupport;
import dev.tandem.presence.PresenceChange;
import dev.tandem.presence.PresenceEntry;
import dev.tandem.presence.PresenceKey;
import dev.tandem.presence.PresenceStore;
import dev.tandem.presence.PresenceStoreContract;
import dev.tandem.testing.WsClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The presence contract against the local Redis (a fresh key prefix per test), plus what only a store shared
 * by several nodes does: one node's writes are seen by another, a dead node's entries come due at once, and
 * every node hears the changes the others made.
 */
class RedisPresenceStoreTest extends PresenceStoreContract {
    private static RedisConnection redis;
    private final List<RedisPresenceStore> opened = new ArrayList<>();
    private final RedisMetrics metrics = new RedisMetrics(new SimpleMeterRegistry());
    private final String prefix = RedisTestSupport.uniquePrefix();
    private final String channel = "room:" + prefix.substring(5, 13);

    @BeforeAll
    static void connect() {
        redis = RedisTestSupport.connect();
    }

    @AfterAll
    static void disconnect() {
        redis.close();
    }

    @AfterEach
    void closeStores() {
        opened.forEach(RedisPresenceStore::close);
    }

    @Override
    protected PresenceStore newStore() {
        return node("node-a");
    }

    private RedisPresenceStore node(String nodeId) {
        RedisPresenceStore store = new RedisPresenceStore(redis, prefix, nodeId, metrics);
        opened.add(store);
        return store;
    }

    private PresenceEntry entry(String userId, String connectionId, long expiresAt) {
        return new PresenceEntry(channel, userId, connectionId, WsClient.JSON.createObjectNode().put("c", connectionId),
                PresenceEntry.Status.online, 1_000, 1_000, expiresAt);
    }

    private static <T> T now(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    @Test
    void aUserOnTwoNodesIsOneMemberWithBothConnections() {
        RedisPresenceStore a = node("node-a");
        RedisPresenceStore b = node("node-b");

        assertThat(now(a.put(entry("ann", "on-a", 60_000))).joined()).isTrue();
        PresenceChange second = now(b.put(entry("ann", "on-b", 60_000)));

        assertThat(second.joined()).isFalse();
        assertThat(second.after()).extracting(PresenceEntry::connectionId).containsExactly("on-a", "on-b");
        assertThat(now(a.members(channel))).extracting(PresenceEntry::connectionId).containsExactly("on-a", "on-b");
        assertThat(now(a.members(channel)).get(0).state().get("c").asText()).isEqualTo("on-a");
    }

    @Test
    void aDeadNodesEntriesComeDueAtOnceAndOnlyThose() {
        RedisPresenceStore a = node("node-a");
        RedisPresenceStore b = node("node-b");
        now(a.put(entry("ann", "on-a", 60_000)));
        now(b.put(entry("bob", "on-b", 60_000)));
        now(b.put(entry("ann", "ann-on-b", 60_000)));

        assertThat(now(a.evictNode("node-b"))).isEqualTo(2);

        List<PresenceKey> due = now(a.due(2_000, 10));
        assertThat(due).extracting(PresenceKey::connectionId).containsExactlyInAnyOrder("on-b", "ann-on-b");
        PresenceChange bobLeft = now(a.expire(new PresenceKey(channel, "on-b"), 2_000));
        assertThat(bobLeft.left()).isTrue();
        assertThat(bobLeft.userId()).isEqualTo("bob");
        assertThat(now(a.expire(new PresenceKey(channel, "on-b"), 2_000)).isNoop()).isTrue();
        assertThat(now(a.expire(new PresenceKey(channel, "ann-on-b"), 2_000)).left()).isFalse();
        assertThat(now(a.members(channel))).extracting(PresenceEntry::connectionId).containsExactly("on-a");
        assertThat(now(a.evictNode("node-b"))).isZero();
    }

    @Test
    void everyNodeHearsTheChangesOfTheOthersInOrderWithTheChannelsCountsButNotItsOwn() {
        RedisPresenceStore a = node("node-a");
        RedisPresenceStore b = node("node-b");
        List<String> heardByA = new CopyOnWriteArrayList<>();
        List<String> heardByB = new CopyOnWriteArrayList<>();
        a.onRemoteChange((change, leftAt) -> heardByA.add(describe(change, leftAt)));
        b.onRemoteChange((change, leftAt) -> heardByB.add(describe(change, leftAt)));

        now(b.put(entry("bob", "b1", 60_000)));
        now(b.put(entry("bob", "b2", 60_000)));
        now(b.remove(new PresenceKey(channel, "b1"), 5_000));
        now(b.remove(new PresenceKey(channel, "b2"), 7_000));
        now(a.put(entry("ann", "a1", 60_000)));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(heardByA).containsExactly(
                "bob join [b1] 1/1", "bob update [b1, b2] 1/2", "bob update [b2] 1/1", "bob leave at 7000 0/0"));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(heardByB).containsExactly("ann join [a1] 1/1"));
    }

    /** What a change did, then the channel's users/connections after it. */
    private static String describe(PresenceChange change, long leftAt) {
        String counts = " " + change.counts().users() + "/" + change.counts().connections();
        if (change.left()) {
            return change.userId() + " leave at " + leftAt + counts;
        }
        List<String> connections = change.after().stream().map(PresenceEntry::connectionId).toList();
        return change.userId() + (change.joined() ? " join " : " update ") + connections + counts;
    }
}
