package dev.tandem.presence.redis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.cluster.RedisConnection;
import dev.tandem.cluster.RedisMetrics;
import dev.tandem.presence.PresenceChange;
import dev.tandem.presence.PresenceCounts;
import dev.tandem.presence.PresenceEntry;
import dev.tandem.presence.PresenceKey;
import dev.tandem.presence.PresenceStore;
import dev.tandem.presence.UserPresence;
import dev.tandem.protocol.FrameCodec;
import io.lettuce.core.Limit;
import io.lettuce.core.Range;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.ObjLongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster's {@link PresenceStore}: every node's entries in one Redis, so a member list, a count or a user's
 * presence is the same whichever node is asked. The layout and the atomic scripts are in {@link PresenceScripts};
 * each operation is one script (a few commands on one channel, one user or one node; never a keyspace scan).
 *
 * <p>Design. Entries carry their owner node. A node refreshes (through its clients' heartbeats) only what it
 * owns, so a node that dies stops refreshing and its entries expire on their TTL; sooner, when the
 * {@link dev.tandem.cluster.NodeRegistry} reaps the node, {@link #evictNode} marks all its entries due at once.
 * Either way each expiry is applied by exactly one node (the conditional remove is atomic) and announced by it.
 * Every write publishes its change from inside its script on one pub/sub channel, so all nodes hear of every
 * change in the order Redis applied them; {@link #onRemoteChange} hands the changes other nodes made to the
 * presence service, which broadcasts them to this node's subscribers (its own changes it already announced).
 * Times in entries are the writing node's clock, as in the local store; the expiry index compares them with
 * the sweeping node's clock, so nodes need synchronised clocks (NTP) to within a small part of the TTL.
 */
public final class RedisPresenceStore implements PresenceStore, AutoCloseable {
    /** How long a user's last seen time (and an abandoned channel's keys) are kept. */
    public static final Duration RETENTION = Duration.ofDays(1);

    private static final Logger LOG = LoggerFactory.getLogger(RedisPresenceStore.class);

    private final RedisConnection redis;
    private final String prefix;
    private final String nodeId;
    private final RedisMetrics metrics;
    private final String retention = String.valueOf(RETENTION.toMillis());
    private StatefulRedisPubSubConnection<String, String> events;

    /**
     * @param prefix key prefix of this cluster ({@code tandem:} in production, unique per test)
     * @param nodeId this node, the owner of the entries it writes
     */
    public RedisPresenceStore(RedisConnection redis, String prefix, String nodeId, RedisMetrics metrics) {
        this.redis = redis;
        this.prefix = prefix;
        this.nodeId = nodeId;
        this.metrics = metrics;
    }

    @Override
    public CompletionStage<PresenceChange> put(PresenceEntry entry) {
        CompletionStage<List<Object>> result = redis.call(c -> PresenceScripts.PUT.run(c, ScriptOutputType.MULTI, prefix, nodeId,
                entry.channel(), entry.connectionId(), entry.userId(), Long.toString(entry.lastSeen()),
                Long.toString(entry.expiresAt()), encode(entry), retention));
        return result.thenApply(r -> new PresenceChange(entry.channel(), entry.userId(),
                entries(entry.channel(), r.get(0)), entries(entry.channel(), r.get(1)), countsOf(r.get(2))));
    }

    @Override
    public CompletionStage<PresenceChange> remove(PresenceKey key, long now) {
        return removeEntry(key, "remove", now);
    }

    @Override
    public CompletionStage<PresenceChange> expire(PresenceKey key, long now) {
        return removeEntry(key, "expire", now);
    }

    private CompletionStage<PresenceChange> removeEntry(PresenceKey key, String mode, long now) {
        CompletionStage<List<Object>> result = redis.call(c -> PresenceScripts.REMOVE.run(c, ScriptOutputType.MULTI, prefix,
                nodeId, key.channel(), key.connectionId(), mode, Long.toString(now), retention));
        return result.thenApply(r -> new PresenceChange(key.channel(), (String) r.get(0),
                entries(key.channel(), r.get(1)), entries(key.channel(), r.get(2)), countsOf(r.get(3))));
    }

    @Override
    public CompletionStage<Boolean> touch(PresenceKey key, long lastSeen, long expiresAt) {
        CompletionStage<Long> result = redis.call(c -> PresenceScripts.TOUCH.run(c, ScriptOutputType.INTEGER, prefix,
                key.channel(), key.connectionId(), Long.toString(lastSeen), Long.toString(expiresAt), retention));
        return result.thenApply(touched -> touched == 1L);
    }

    @Override
    public CompletionStage<List<PresenceEntry>> members(String channel) {
        CompletionStage<List<Object>> result = redis.call(c -> PresenceScripts.MEMBERS.run(c, ScriptOutputType.MULTI,
                prefix, channel));
        return result.thenApply(flat -> entries(channel, flat));
    }

    @Override
    public CompletionStage<PresenceCounts> counts(String channel) {
        CompletionStage<List<Object>> result = redis.call(c -> PresenceScripts.COUNTS.run(c, ScriptOutputType.MULTI,
                prefix, channel));
        return result.thenApply(RedisPresenceStore::countsOf);
    }

    @Override
    public CompletionStage<UserPresence> user(String userId) {
        CompletionStage<List<Object>> result = redis.call(c -> PresenceScripts.USER.run(c, ScriptOutputType.MULTI,
                prefix, userId));
        return result.thenApply(r -> {
            List<?> flat = (List<?>) r.get(1);
            List<PresenceEntry> entries = new ArrayList<>(flat.size() / 3);
            for (int i = 0; i + 2 < flat.size(); i += 3) {
                entries.add(decode((String) flat.get(i), (String) flat.get(i + 1), (String) flat.get(i + 2)));
            }
            return new UserPresence(userId, entries, Long.parseLong((String) r.get(0)));
        });
    }

    @Override
    public CompletionStage<List<PresenceKey>> due(long now, int limit) {
        CompletionStage<List<String>> members = redis.call(c -> c.zrangebyscore(prefix + "presence:due",
                Range.create(Double.NEGATIVE_INFINITY, (double) now), Limit.create(0, limit)));
        return members.thenApply(list -> list.stream().map(RedisPresenceStore::key).toList());
    }

    /** Makes every entry a dead node owned due now; the sweeps of the live nodes expire and announce them. */
    public CompletionStage<Long> evictNode(String deadNodeId) {
        return redis.call(c -> PresenceScripts.EVICT_NODE.run(c, ScriptOutputType.INTEGER, prefix, deadNodeId));
    }

    /**
     * Subscribes to the changes every node makes and hands those of other nodes to {@code listener} (on the
     * pub/sub connection's I/O thread, in the order Redis applied them), with the time the user left for a leave.
     */
    @Override
    public synchronized void onRemoteChange(ObjLongConsumer<PresenceChange> listener) {
        boolean first = events == null;
        if (first) {
            events = redis.pubSub();
        }
        events.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                deliver(message, listener);
            }
        });
        if (first) {
            events.sync().subscribe(prefix + "presence:events");
        }
    }

    private void deliver(String message, ObjLongConsumer<PresenceChange> listener) {
        try {
            JsonNode change = FrameCodec.JSON.readTree(message);
            metrics.recordPubSubLag(change.path("t").asLong());
            if (nodeId.equals(change.path("o").asText())) {
                return; // this node announced its own change when its write completed
            }
            String channel = change.path("c").asText();
            JsonNode counts = change.path("n");
            listener.accept(new PresenceChange(channel, change.path("u").asText(), entries(channel, strings(change.get("b"))),
                    entries(channel, strings(change.get("a"))),
                    new PresenceCounts(counts.path(0).asInt(), counts.path(1).asInt())), change.path("l").asLong());
        } catch (JsonProcessingException | RuntimeException e) {
            LOG.warn("unreadable presence change from Redis: {}", e.toString());
        }
    }

    @Override
    public synchronized void close() {
        if (events != null) {
            events.close();
            events = null;
        }
    }

    /** An entry's value after the two times: the fields that only a new {@code put} changes. */
    private String encode(PresenceEntry entry) {
        ObjectNode json = FrameCodec.JSON.createObjectNode().put("u", entry.userId()).put("n", nodeId)
                .put("st", entry.status().name()).put("a", entry.lastActive());
        json.set("s", entry.state());
        return json.toString();
    }

    /** Entries from a script's flat {connection, value, ...} list; Lua's empty table comes back as a list or a map. */
    private static List<PresenceEntry> entries(String channel, Object flat) {
        if (!(flat instanceof List<?> list)) {
            return List.of();
        }
        List<PresenceEntry> entries = new ArrayList<>(list.size() / 2);
        for (int i = 0; i + 1 < list.size(); i += 2) {
            entries.add(decode(channel, (String) list.get(i), (String) list.get(i + 1)));
        }
        return entries;
    }

    private static PresenceEntry decode(String channel, String connectionId, String value) {
        int first = value.indexOf('|');
        int second = value.indexOf('|', first + 1);
        try {
            JsonNode json = FrameCodec.JSON.readTree(value.substring(second + 1));
            return new PresenceEntry(channel, json.path("u").asText(), connectionId, json.path("s"),
                    PresenceEntry.Status.valueOf(json.path("st").asText()), json.path("a").asLong(),
                    Long.parseLong(value.substring(0, first)), Long.parseLong(value.substring(first + 1, second)));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A script's {users, connections} pair. */
    private static PresenceCounts countsOf(Object pair) {
        List<?> list = (List<?>) pair;
        return new PresenceCounts(((Long) list.get(0)).intValue(), ((Long) list.get(1)).intValue());
    }

    private static List<String> strings(JsonNode array) {
        List<String> strings = new ArrayList<>();
        if (array != null && array.isArray()) {
            array.forEach(item -> strings.add(item.asText()));
        }
        return strings;
    }

    private static PresenceKey key(String member) {
        int split = member.indexOf('\n');
        return new PresenceKey(member.substring(0, split), member.substring(split + 1));
    }
}
