package dev.tandem.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.FrameCodec;
import io.lettuce.core.ScriptOutputType;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live nodes of a cluster, kept in Redis: every node heartbeats its id and info every third of
 * {@code nodeTtl}; a node whose last heartbeat is older than {@code nodeTtl} is dead.
 *
 * <p>Design. Heartbeats go into one sorted set {@code {prefix}nodes} (member node id, score the heartbeat
 * time) plus a string per node with its info; times come from Redis ({@code TIME}), so nodes with skewed
 * clocks still agree on who is dead. Listing the live nodes is a score range of that set and dead nodes are
 * its head, so neither ever scans the keyspace. Each heartbeat also reaps the dead: the script removes them
 * atomically, so exactly one node reports a given death to its {@link #onDead} listeners (which, for
 * presence, expire the dead node's entries at once). If that node dies before acting, nothing is lost: the
 * entries of a dead node expire on their own TTL anyway. In the same atomic step the script PUBLISHes the
 * death on {@code {prefix}dead}, so every live node hears of it ({@link #onDeathNotice}) at once, not only
 * the reaper: each must read back what the dead node committed but never announced.
 */
public final class NodeRegistry implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeRegistry.class);

    private static final RedisScript HEARTBEAT = new RedisScript("""
            local p, id, info, ttl = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZADD', p .. 'nodes', now, id)
            redis.call('SET', p .. 'node:' .. id, info, 'PX', ttl * 2)
            local dead = redis.call('ZRANGEBYSCORE', p .. 'nodes', '-inf', now - ttl, 'LIMIT', 0, 100)
            for _, d in ipairs(dead) do
              redis.call('ZREM', p .. 'nodes', d)
              redis.call('DEL', p .. 'node:' .. d)
              redis.call('PUBLISH', p .. 'dead', d)
            end
            return dead
            """);

    private static final RedisScript LIVE = new RedisScript("""
            local p, ttl = ARGV[1], tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local ids = redis.call('ZRANGEBYSCORE', p .. 'nodes', now - ttl, '+inf', 'WITHSCORES')
            local out = {}
            for i = 1, #ids, 2 do
              local info = redis.call('GET', p .. 'node:' .. ids[i])
              if info then
                out[#out + 1] = ids[i]
                out[#out + 1] = ids[i + 1]
                out[#out + 1] = info
              end
            end
            return out
            """);

    private final RedisConnection redis;
    private final String prefix;
    private final String nodeId;
    private final Duration ttl;
    private final Supplier<NodeInfo> self;
    private final List<Consumer<String>> deadListeners = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> noticeListeners = new CopyOnWriteArrayList<>();
    private volatile ScheduledFuture<?> heartbeats;

    /**
     * @param prefix key prefix of this cluster (tests use a unique one)
     * @param self   this node's current info (its connections change between heartbeats)
     */
    public NodeRegistry(RedisConnection redis, String prefix, String nodeId, Duration ttl, Supplier<NodeInfo> self) {
        this.redis = redis;
        this.prefix = prefix;
        this.nodeId = nodeId;
        this.ttl = ttl;
        this.self = self;
    }

    public String nodeId() {
        return nodeId;
    }

    /** Calls {@code listener} with the id of each dead node this node reaps (on a Redis I/O thread). */
    public void onDead(Consumer<String> listener) {
        deadListeners.add(listener);
    }

    /**
     * Calls {@code listener} on this node with the id of every node any node of the cluster reaps (on a Redis
     * I/O thread); the first call subscribes this node to the notices. A notice lost in a Redis outage needs no
     * retry: a node resynchronises everything after an outage anyway.
     */
    public synchronized void onDeathNotice(Consumer<String> listener) {
        if (noticeListeners.isEmpty()) {
            redis.subscribe(prefix + "dead", deadId -> noticeListeners.forEach(l -> l.accept(deadId)));
        }
        noticeListeners.add(listener);
    }

    /** Heartbeats now and then every third of the TTL on {@code scheduler}; never blocks it. */
    public void start(ScheduledExecutorService scheduler) {
        heartbeat();
        long every = Math.max(1, ttl.toMillis() / 3);
        heartbeats = scheduler.scheduleAtFixedRate(this::heartbeat, every, every, TimeUnit.MILLISECONDS);
    }

    /** Writes this node's heartbeat and reaps dead nodes; completes with the ids it reaped. */
    public CompletionStage<List<String>> heartbeat() {
        String info = encode(self.get());
        CompletionStage<List<String>> reaped = redis.call(c -> HEARTBEAT.<List<String>>run(c, ScriptOutputType.MULTI,
                prefix, nodeId, info, String.valueOf(ttl.toMillis())));
        return reaped.whenComplete((dead, failure) -> {
            if (failure != null) {
                LOG.warn("node heartbeat failed: {}", failure.toString());
                return;
            }
            for (String id : dead) {
                LOG.info("cluster node {} is dead (no heartbeat for {})", id, ttl);
                deadListeners.forEach(listener -> listener.accept(id));
            }
        });
    }

    /** The live nodes, most recently heartbeated last. */
    public CompletionStage<List<NodeInfo>> live() {
        CompletionStage<List<String>> raw = redis.call(c -> LIVE.<List<String>>run(c, ScriptOutputType.MULTI, prefix,
                String.valueOf(ttl.toMillis())));
        return raw.thenApply(NodeRegistry::decode);
    }

    /** Stops heartbeating and leaves the registry at once (a clean shutdown is not a death). */
    @Override
    public void close() {
        ScheduledFuture<?> running = heartbeats;
        if (running != null) {
            running.cancel(false);
        }
        try {
            redis.call(c -> c.zrem(prefix + "nodes", nodeId)).thenCompose(n -> redis.call(c -> c.del(prefix + "node:" + nodeId)))
                    .get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("could not leave the node registry: {}", e.toString());
        }
    }

    private static String encode(NodeInfo info) {
        ObjectNode json = FrameCodec.JSON.createObjectNode().put("address", info.address()).put("started", info.started())
                .put("connections", info.connections());
        return json.toString();
    }

    private static List<NodeInfo> decode(List<String> flat) {
        List<NodeInfo> nodes = new ArrayList<>(flat.size() / 3);
        for (int i = 0; i + 2 < flat.size(); i += 3) {
            try {
                JsonNode info = FrameCodec.JSON.readTree(flat.get(i + 2));
                nodes.add(new NodeInfo(flat.get(i), info.path("address").asText(), info.path("started").asLong(),
                        info.path("connections").asInt(), (long) Double.parseDouble(flat.get(i + 1))));
            } catch (IOException e) {
                LOG.warn("unreadable info of node {}: {}", flat.get(i), e.toString());
            }
        }
        return nodes;
    }
}
