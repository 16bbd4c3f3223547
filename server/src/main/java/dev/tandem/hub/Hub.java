package dev.tandem.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.config.NamespaceConfig;
import dev.tandem.config.TandemConfig;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.protocol.FrameCodec;
import io.netty.buffer.ByteBufAllocator;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The registry of channels on this node: creates a channel on first use with its namespace's policy,
 * routes subscribe, publish and history to it, and drops channels that have neither subscribers nor
 * history left ({@link #sweep}). A dropped channel comes back with a new epoch, which is exactly what tells
 * a recovering client that its position no longer means anything.
 */
public final class Hub {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TandemConfig config;
    private final TandemMetrics metrics;
    private final ByteBufAllocator alloc;
    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();

    public Hub(TandemConfig config, TandemMetrics metrics, ByteBufAllocator alloc) {
        this.config = config;
        this.metrics = metrics;
        this.alloc = alloc;
    }

    /** The policy that applies to a (valid) channel name. */
    public NamespaceConfig policy(String channel) {
        return config.namespace(ChannelName.namespace(channel));
    }

    /** Subscribes, enqueuing the {@code subscribed} reply and any recovered publications; false if already subscribed. */
    public boolean subscribe(Subscriber subscriber, String channel, Since since, JsonNode requestId) {
        boolean added = onChannel(channel, c -> c.subscribe(subscriber, since, requestId, alloc));
        if (added) {
            metrics.subscriptions().incrementAndGet();
        }
        return added;
    }

    public boolean unsubscribe(Subscriber subscriber, String channel) {
        Channel c = channels.get(channel);
        if (c == null) {
            return false;
        }
        boolean removed;
        synchronized (c) {
            removed = c.unsubscribe(subscriber);
        }
        if (removed) {
            metrics.subscriptions().decrementAndGet();
        }
        return removed;
    }

    /** Publishes and fans out to local subscribers; {@code userId} is null for server-side publishes. */
    public Publication publish(String channel, JsonNode payload, String userId) {
        return publish(channel, payload, userId, 0);
    }

    /** As {@link #publish(String, JsonNode, String)}, with copies still queued after {@code ttlMillis} dropped. */
    public Publication publish(String channel, JsonNode payload, String userId, long ttlMillis) {
        Publication publication = onChannel(channel, c -> {
            Publication p = c.publish(payload, userId, ttlMillis, alloc);
            metrics.deliveries().increment(c.subscriberCount());
            return p;
        });
        metrics.publications().increment();
        return publication;
    }

    /**
     * Sends an ephemeral frame (presence, typing, receipts: no seq, never stored) to the channel's local
     * subscribers, except {@code exclude} when non-null. Encoded once, like a publication.
     */
    public void broadcast(String channel, ObjectNode frame, Subscriber exclude) {
        Channel c = channels.get(channel);
        if (c == null) {
            return;
        }
        byte[] encoded = FrameCodec.encode(frame);
        synchronized (c) {
            if (!c.isRetired()) {
                c.broadcast(encoded, Delivery.NORMAL, exclude, alloc);
            }
        }
    }

    public HistoryPage history(String channel, HistoryQuery query) {
        return onChannel(channel, c -> c.history(query));
    }

    /** Active channels, most subscribed first. */
    public List<ChannelInfo> channels() {
        List<ChannelInfo> result = new ArrayList<>();
        for (Channel c : channels.values()) {
            synchronized (c) {
                if (!c.isRetired()) {
                    result.add(c.info());
                }
            }
        }
        result.sort(Comparator.comparingInt(ChannelInfo::subscribers).reversed().thenComparing(ChannelInfo::name));
        return result;
    }

    /** Drops channels with no subscribers and no history; run periodically. */
    public void sweep() {
        long now = System.currentTimeMillis();
        for (Channel c : channels.values()) {
            synchronized (c) {
                if (c.retireIfIdle(now)) {
                    channels.remove(c.name(), c);
                }
            }
        }
    }

    private <T> T onChannel(String name, Function<Channel, T> action) {
        while (true) {
            Channel c = channels.computeIfAbsent(name, n -> new Channel(n, policy(n), newEpoch()));
            synchronized (c) {
                if (!c.isRetired()) {
                    return action.apply(c);
                }
            }
        }
    }

    private static String newEpoch() {
        return Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }
}
