package dev.tandem.limits;

import dev.tandem.config.LimitsConfig;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * Node-wide load shedding: caps on work the whole node accepts, whoever sends it, so that an overloaded node
 * refuses new work clearly (with a retry hint) while its existing connections keep their latency. Per-client
 * limits ({@link CommandBudget}, channel publish rates) protect clients from each other; these protect the node.
 * Connections are capped by {@code limits.maxConnections} (close 1013), HTTP requests in flight by the router.
 */
public final class NodeLoad {
    /** What a refused caller is told to wait: one refill second of the publish bucket, one cool-off otherwise. */
    public static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    /**
     * What a connection refused at capacity (1013, HTTP 503) is told to wait: long enough that a crowd refused
     * together does not return at once (the SDKs add jitter on top), short enough to fill a freed slot soon.
     */
    public static final Duration CONNECTION_RETRY_AFTER = Duration.ofSeconds(2);

    private final TokenBucket publishes;
    private final long maxSubscriptions;
    private final LongSupplier subscriptions;

    public NodeLoad(LimitsConfig limits, LongSupplier subscriptions) {
        this.publishes = new TokenBucket(limits.nodePublishRate(), limits.nodePublishBurst());
        this.maxSubscriptions = limits.maxSubscriptions();
        this.subscriptions = subscriptions;
    }

    /** Takes {@code count} publishes from the node's budget or refuses them all with {@code rate_limited}. */
    public void admitPublishes(int count) {
        if (!publishes.tryTake(count)) {
            throw new ProtocolException(ErrorCode.RATE_LIMITED, "the node is at its publish rate; retry shortly",
                    RETRY_AFTER);
        }
    }

    /** Refuses a new subscription with {@code unavailable} when the node holds {@code limits.maxSubscriptions}. */
    public void admitSubscription() {
        if (subscriptions.getAsLong() >= maxSubscriptions) {
            throw new ProtocolException(ErrorCode.UNAVAILABLE,
                    "the node is at its subscription capacity; retry later or elsewhere", RETRY_AFTER);
        }
    }
}
