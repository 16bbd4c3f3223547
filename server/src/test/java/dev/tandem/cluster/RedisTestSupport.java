package dev.tandem.cluster;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.tandem.config.ClusterConfig;
import java.time.Duration;
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
        ClusterConfig config = new ClusterConfig(URL, "test-" + UUID.randomUUID().toString().substring(0, 8),
                Duration.ofSeconds(15), uniquePrefix());
        return RedisConnection.open(config, new RedisMetrics(new SimpleMeterRegistry()));
    }

    /** A fresh key prefix, e.g. {@code test:1a2b3c4d:}. */
    public static String uniquePrefix() {
        return "test:" + UUID.randomUUID().toString().substring(0, 8) + ":";
    }
}
