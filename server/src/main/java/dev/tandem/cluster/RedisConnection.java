package dev.tandem.cluster;

import dev.tandem.config.ClusterConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.time.Duration;

/**
 * The node's link to the cluster's Redis: one Lettuce {@link RedisClient} with one shared command connection
 * (Lettuce pipelines every caller's commands over it, answers arrive in order on one I/O thread) and pub/sub
 * connections made on demand. Created by the server only when {@code cluster.redis.url} is set. Commands are
 * used through the async API only, so no event loop ever waits on Redis; Lettuce reconnects by itself and
 * queues commands meanwhile (a bounded queue; every command fails after {@link #COMMAND_TIMEOUT}).
 */
public final class RedisConnection implements AutoCloseable {
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);
    /** Commands queued while Redis is unreachable; beyond it new commands fail at once instead of piling up. */
    private static final int REQUEST_QUEUE = 100_000;

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;

    private RedisConnection(ClientResources resources, RedisClient client) {
        this.resources = resources;
        this.client = client;
        this.connection = client.connect();
    }

    /** Connects to the configured Redis (blocking, at start); every command's round trip goes to {@code metrics}. */
    public static RedisConnection open(ClusterConfig config, RedisMetrics metrics) {
        return open(config.redisUrl(), metrics);
    }

    /** Connects to {@code url} (blocking, at start). */
    public static RedisConnection open(String url, RedisMetrics metrics) {
        ClientResources resources = DefaultClientResources.builder().commandLatencyRecorder(metrics).build();
        RedisURI uri = RedisURI.create(url);
        uri.setTimeout(COMMAND_TIMEOUT);
        RedisClient client = RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder().autoReconnect(true).requestQueueSize(REQUEST_QUEUE)
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT)).build());
        try {
            return new RedisConnection(resources, client);
        } catch (RuntimeException e) {
            client.shutdown();
            resources.shutdown();
            throw e;
        }
    }

    /** The shared command connection's async API. */
    public RedisAsyncCommands<String, String> async() {
        return connection.async();
    }

    /** A new pub/sub connection (a subscriber holds one for its life and closes it). */
    public StatefulRedisPubSubConnection<String, String> pubSub() {
        return client.connectPubSub();
    }

    public RedisClient client() {
        return client;
    }

    @Override
    public void close() {
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
}
