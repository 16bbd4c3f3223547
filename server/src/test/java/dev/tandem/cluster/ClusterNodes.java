package dev.tandem.cluster;

import dev.tandem.testing.ServerProcess;
import dev.tandem.testing.TestStore;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.file.Path;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * A cluster of Tandem nodes for a test: child JVMs sharing one Redis (under a key prefix of their own, deleted
 * on close, so tests and helpers sharing the Redis never see each other) and one fresh PostgreSQL schema.
 */
final class ClusterNodes implements AutoCloseable {
    static final String LOCAL_REDIS = "redis://127.0.0.1:6379";
    /** Short, so a killed node is declared dead within the tests' waits (heartbeats every second). */
    static final String NODE_TTL = "3s";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String redisUrl;
    private final String prefix = "tandem-test-" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36) + ":";
    private final Map<String, String> store = TestStore.POSTGRES.fresh();
    private final List<ServerProcess> nodes = new ArrayList<>();

    private final Map<String, String> extraEnv;

    private ClusterNodes(String redisUrl, Map<String, String> extraEnv) {
        this.redisUrl = redisUrl;
        this.extraEnv = extraEnv;
    }

    /** Starts {@code count} nodes on {@code redisUrl} together (Flyway serialises the schema migration). */
    static ClusterNodes start(String redisUrl, int count) throws Exception {
        return start(redisUrl, count, Map.of());
    }

    /** As {@link #start(String, int)}, each node with the {@code TANDEM_*} settings {@code env} too. */
    static ClusterNodes start(String redisUrl, int count, Map<String, String> env) throws Exception {
        ClusterNodes cluster = new ClusterNodes(redisUrl, env);
        try {
            List<CompletableFuture<ServerProcess>> rest = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                int index = i;
                rest.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        return cluster.startNode(index);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            CompletableFuture.allOf(rest.toArray(new CompletableFuture[0])).exceptionally(failure -> null).join();
            for (CompletableFuture<ServerProcess> node : rest) {
                if (!node.isCompletedExceptionally()) {
                    cluster.nodes.add(node.join());
                }
            }
            for (CompletableFuture<ServerProcess> node : rest) {
                node.join(); // throws the first start failure, after every started node is known (and closed)
            }
            return cluster;
        } catch (Exception | Error e) {
            cluster.close();
            throw e;
        }
    }

    private ServerProcess startNode(int index) throws Exception {
        Map<String, String> env = new HashMap<>();
        store.forEach((key, value) -> {
            if (key.startsWith("store.")) {
                env.put("TANDEM_" + key.replace('.', '_').toUpperCase(), value);
            }
        });
        env.put("TANDEM_CLUSTER_REDIS_URL", redisUrl);
        env.put("TANDEM_CLUSTER_REDIS_PREFIX", prefix);
        env.put("TANDEM_CLUSTER_NODE_ID", "node-" + index);
        env.put("TANDEM_CLUSTER_NODE_TTL", NODE_TTL);
        env.putAll(extraEnv);
        for (int attempt = 1; ; attempt++) {
            try {
                return ServerProcess.start(TestStore.freshDirectory(), env);
            } catch (AssertionError e) {
                // Nodes start together, each on a port found free a moment before: another may have taken it.
                if (attempt == 3 || !String.valueOf(e.getMessage()).contains("Address already in use")) {
                    throw e;
                }
            }
        }
    }

    ServerProcess node(int index) {
        return nodes.get(index);
    }

    String prefix() {
        return prefix;
    }

    /** The PostgreSQL schema every node shares, for tests that look at (or write) the store. */
    DataSource database() {
        PGSimpleDataSource db = new PGSimpleDataSource();
        db.setURL(store.get("store.postgres.url"));
        db.setUser(store.get("store.postgres.user"));
        db.setPassword(store.getOrDefault("store.postgres.password", ""));
        db.setCurrentSchema(store.get("store.postgres.schema"));
        return db;
    }

    @Override
    public void close() {
        nodes.forEach(ServerProcess::close);
        for (int i = 0; i < nodes.size(); i++) {
            for (String line : nodes.get(i).output()) {
                if (line.contains(" WARN ") || line.contains(" ERROR ")) {
                    System.out.println("node-" + i + ": " + line); // kept in the surefire report, for failures
                }
            }
        }
        deleteKeys(redisUrl, prefix);
    }

    /** Deletes every key under {@code prefix} (SCAN, never KEYS or FLUSHALL: the Redis is shared). */
    static void deleteKeys(String redisUrl, String prefix) {
        RedisClient client = RedisClient.create(redisUrl);
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            ScanCursor cursor = ScanCursor.INITIAL;
            do {
                KeyScanCursor<String> page = connection.sync().scan(cursor, ScanArgs.Builder.matches(prefix + "*").limit(500));
                if (!page.getKeys().isEmpty()) {
                    connection.sync().del(page.getKeys().toArray(new String[0]));
                }
                cursor = page;
            } while (!cursor.isFinished());
        } catch (RuntimeException e) {
            System.err.println("could not delete test keys under " + prefix + ": " + e.getMessage());
        } finally {
            client.shutdown();
        }
    }
}
