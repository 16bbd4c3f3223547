package dev.tandem.cluster;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.tandem.config.BreakerConfig;
import dev.tandem.config.ClusterConfig;
import dev.tandem.resilience.CircuitBreaker;
import dev.tandem.testing.TestStore;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The local test Redis (127.0.0.1:6379) and key prefixes unique per test, so tests share it without cleanup
 * between them and without seeing each other's keys.
 */
public final class RedisTestSupport {
    public static final String URL = "redis://127.0.0.1:6379";

    private RedisTestSupport() {
    }

    public static RedisConnection connect() {
        BreakerConfig breaker = new BreakerConfig(5, Duration.ofSeconds(5), Duration.ofSeconds(5));
        ClusterConfig config = new ClusterConfig(URL, "test-" + UUID.randomUUID().toString().substring(0, 8),
                Duration.ofSeconds(15), uniquePrefix(), Duration.ofSeconds(5), breaker);
        return RedisConnection.open(config, new RedisMetrics(new SimpleMeterRegistry()),
                new CircuitBreaker("redis", breaker, CircuitBreaker.Listener.NONE));
    }

    /**
     * Server config for one node of a test cluster: the local Redis under {@code prefix}, and a fresh PostgreSQL
     * schema (a cluster needs the shared store). Nodes of one cluster must share the store settings: pass the
     * same map to each.
     */
    public static Map<String, String> clusterConfig(String prefix) {
        Map<String, String> config = new HashMap<>(TestStore.POSTGRES.fresh());
        config.remove("dataDir");
        config.put("cluster.redis.url", URL);
        config.put("cluster.redis.prefix", prefix);
        return config;
    }

    /** The same as {@code TANDEM_*} environment variables, for a child process. */
    public static Map<String, String> asEnvironment(Map<String, String> config) {
        Map<String, String> env = new HashMap<>();
        config.forEach((key, value) -> env.put("TANDEM_" + key.replaceAll("([a-z])([A-Z])", "$1_$2")
                .replace('.', '_').toUpperCase(), value));
        return env;
    }

    /** A fresh key prefix, e.g. {@code test:1a2b3c4d:}. */
    public static String uniquePrefix() {
        return "test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }
}
