package dev.tandem.cluster;

import dev.tandem.config.ClusterConfig;
import dev.tandem.ops.HealthCheck;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.resilience.CircuitBreaker;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.RedisPubSubListener;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's link to the cluster's Redis: owns the Lettuce client, one connection for commands and one for
 * pub/sub (a node subscribes once, never per client), and says whether Redis is reachable ({@link #health}).
 *
 * <p>Lettuce runs on Netty too; it gets its own two I/O threads (and two computation threads, Lettuce's minimum) rather than
 * its default of one per core, so it never competes with the server's event loops and never runs on them.
 * Commands are never queued while disconnected: they fail at once, so a publish during an outage is answered
 * {@code unavailable} instead of hanging. Lettuce reconnects by itself (retrying at most every 2 s, so a node is
 * ready again soon after Redis is) and re-subscribes; listeners registered
 * with {@link #onReconnect} then run, a moment later, to read back what was missed.
 *
 * <p>Every command goes through {@link #call}, behind one {@link CircuitBreaker}: a Redis that is connected but
 * hung or crawling (commands time out after {@code cluster.redis.timeout}) opens it, and from then on commands
 * fail at once with {@code unavailable} and a retry-after hint instead of queueing in Lettuce; the node's own
 * heartbeat is the half-open probe that closes it again.
 */
public final class RedisConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisConnection.class);
    /** Lets Lettuce re-issue the subscriptions before reconnect listeners read history back. */
    private static final long RESUBSCRIBE_GRACE_MILLIS = 200;

    private final ClusterConfig config;
    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> commands;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private final CircuitBreaker breaker;
    private volatile boolean caughtUp = true;

    private RedisConnection(ClusterConfig config, RedisMetrics metrics, CircuitBreaker breaker) {
        this.config = config;
        this.breaker = breaker;
        // Every command's round trip is timed by Lettuce itself into tandem_redis_roundtrip_seconds.
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .commandLatencyRecorder(metrics)
                .reconnectDelay(Delay.exponential(Duration.ofMillis(100), Duration.ofSeconds(2), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, RedisURI.create(config.redisUrl()));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(config.redisTimeout()))
                .build());
        this.commands = client.connect();
        this.pubSub = client.connectPubSub();
        client.addListener(new StateListener());
    }

    /**
     * Connects (blocking, at start); fails when Redis cannot be reached. {@code breaker} guards every command
     * (build it from {@code cluster.redis.breaker}).
     */
    public static RedisConnection open(ClusterConfig config, RedisMetrics metrics, CircuitBreaker breaker) {
        return new RedisConnection(config, metrics, breaker);
    }

    /**
     * Runs {@code command} on the non-blocking command API if the breaker admits it. Whatever goes wrong (refused
     * by the open breaker, disconnected, timed out, an error reply) comes back as an {@code unavailable}
     * {@link ProtocolException}, with a retry-after hint when the breaker refused it.
     */
    public <T> CompletableFuture<T> call(Function<RedisAsyncCommands<String, String>, ? extends CompletionStage<T>> command) {
        return breaker.<T>call(() -> start(command), failure -> true)
                .exceptionallyCompose(failure -> CompletableFuture.failedFuture(unavailable(failure)));
    }

    /** The breaker around every command, for tests. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    private <T> CompletableFuture<T> start(Function<RedisAsyncCommands<String, String>, ? extends CompletionStage<T>> command) {
        try {
            return command.apply(commands.async()).toCompletableFuture();
        } catch (RuntimeException e) { // Lettuce refuses at once while disconnected
            return CompletableFuture.failedFuture(e);
        }
    }

    private static CompletionException unavailable(Throwable failure) {
        Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof ProtocolException refusal) {
            return new CompletionException(refusal);
        }
        return new CompletionException(ProtocolException.dependencyFailed("redis is unreachable; retry", cause));
    }

    /** Subscribes this node's pub/sub connection to {@code channels}, delivering to {@code listener}. */
    public void subscribe(RedisPubSubListener<String, String> listener, String... channels) {
        pubSub.addListener(listener);
        pubSub.sync().subscribe(channels);
    }

    /** Subscribes this node to one pub/sub {@code channel}, handing each of its messages to {@code handler}. */
    public void subscribe(String channel, Consumer<String> handler) {
        subscribe(new RedisPubSubAdapter<>() {
            @Override
            public void message(String from, String message) {
                if (channel.equals(from)) {
                    handler.accept(message);
                }
            }
        }, channel);
    }

    /**
     * Publishes {@code message} without waiting, through the breaker; a failure (Redis unreachable, breaker
     * open) is only logged: every receiver reads back what it missed after an outage.
     */
    public void publish(String channel, String message) {
        call(c -> c.publish(channel, message)).exceptionally(failure -> {
            LOG.debug("publish on {} failed (receivers catch up after the outage): {}", channel, failure.toString());
            return 0L;
        });
    }

    /** A pub/sub connection of its own, for a subscriber that must not share this node's bus connection. */
    public StatefulRedisPubSubConnection<String, String> pubSub() {
        return client.connectPubSub();
    }

    /** Runs {@code listener} (on a Lettuce thread) each time the pub/sub connection is back after an outage. */
    public void onReconnect(Runnable listener) {
        reconnectListeners.add(listener);
    }

    /** A Redis key or pub/sub channel name under this cluster's prefix. */
    public String key(String name) {
        return config.redisPrefix() + name;
    }

    public String nodeId() {
        return config.nodeId();
    }

    /** Whether both connections are up and whatever an outage made us miss has been asked for again. */
    public boolean isUp() {
        return commands.isOpen() && pubSub.isOpen() && caughtUp;
    }

    /**
     * {@code redis} on {@code /health/ready}: down while Redis is unreachable, the node is catching up, or the
     * breaker is not closed (then with the breaker's detail).
     */
    public HealthCheck health() {
        return new HealthCheck() {
            @Override
            public String name() {
                return "redis";
            }

            @Override
            public Result check() {
                if (!isUp()) {
                    return Result.down("redis unreachable or resynchronising");
                }
                return breaker.check();
            }
        };
    }

    @Override
    public void close() {
        pubSub.close();
        commands.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** Marks the node behind on disconnect, and catches up once the pub/sub connection is back. */
    private final class StateListener implements RedisConnectionStateListener {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (connection == pubSub) {
                caughtUp = false;
                LOG.warn("redis pub/sub disconnected; reconnecting");
            }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            if (connection != pubSub || caughtUp) {
                return;
            }
            resources.eventExecutorGroup().schedule(() -> {
                LOG.info("redis pub/sub reconnected to {}; reading back what was missed", address);
                reconnectListeners.forEach(Runnable::run);
                caughtUp = true;
            }, RESUBSCRIBE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
