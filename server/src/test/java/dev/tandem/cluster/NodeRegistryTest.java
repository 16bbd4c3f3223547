package dev.tandem.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class NodeRegistryTest {
    private static final Duration TTL = Duration.ofSeconds(3);

    private final RedisConnection redis = RedisTestSupport.connect();
    private final String prefix = RedisTestSupport.uniquePrefix();

    @AfterEach
    void tearDown() {
        redis.close();
    }

    private NodeRegistry node(String id, int connections) {
        return new NodeRegistry(redis, prefix, id, TTL, () -> new NodeInfo(id, "127.0.0.1:" + id.length(), 42, connections, 0));
    }

    private static <T> T now(java.util.concurrent.CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    @Test
    void heartbeatingNodesAreListedWithTheirInfo() {
        now(node("a", 3).heartbeat());
        now(node("bb", 5).heartbeat());

        List<NodeInfo> live = now(node("a", 3).live());

        assertThat(live).extracting(NodeInfo::id).containsExactlyInAnyOrder("a", "bb");
        NodeInfo b = live.stream().filter(n -> n.id().equals("bb")).findFirst().orElseThrow();
        assertThat(b.address()).isEqualTo("127.0.0.1:2");
        assertThat(b.connections()).isEqualTo(5);
        assertThat(b.started()).isEqualTo(42);
        assertThat(b.lastHeartbeat()).isGreaterThan(0);
    }

    @Test
    void aNodeThatStopsHeartbeatingIsReapedOnceAndReportedDead() {
        NodeRegistry a = node("a", 0);
        NodeRegistry b = node("b", 0);
        NodeRegistry c = node("c", 0);
        List<String> deadSeenByA = new CopyOnWriteArrayList<>();
        List<String> deadSeenByC = new CopyOnWriteArrayList<>();
        a.onDead(deadSeenByA::add);
        c.onDead(deadSeenByC::add);
        now(b.heartbeat());

        List<String> deadSeen = new CopyOnWriteArrayList<>();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            now(a.heartbeat());
            now(c.heartbeat());
            deadSeen.clear();
            deadSeen.addAll(deadSeenByA);
            deadSeen.addAll(deadSeenByC);
            assertThat(deadSeen).isNotEmpty();
        });

        assertThat(deadSeen).containsExactly("b");
        assertThat(now(a.live())).extracting(NodeInfo::id).containsExactlyInAnyOrder("a", "c");
    }

    @Test
    void everyNodeHearsOfADeathThoughOnlyOneReapsIt() {
        NodeRegistry a = node("a", 0);
        NodeRegistry c = node("c", 0);
        List<String> noticedByA = new CopyOnWriteArrayList<>();
        List<String> noticedByC = new CopyOnWriteArrayList<>();
        a.onDeathNotice(noticedByA::add);
        c.onDeathNotice(noticedByC::add);
        now(node("b", 0).heartbeat());

        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            now(a.heartbeat());
            assertThat(noticedByA).containsExactly("b");
            assertThat(noticedByC).containsExactly("b");
        });
    }

    @Test
    void aNodeThatClosesLeavesAtOnce() {
        NodeRegistry a = node("a", 0);
        NodeRegistry b = node("b", 0);
        now(a.heartbeat());
        now(b.heartbeat());

        b.close();

        assertThat(now(a.live())).extracting(NodeInfo::id).containsExactly("a");
    }
}
