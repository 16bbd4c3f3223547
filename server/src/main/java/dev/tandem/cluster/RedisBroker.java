package dev.tandem.cluster;

import dev.tandem.config.NamespaceConfig;
import dev.tandem.hub.Broker;
import dev.tandem.hub.SharedEvent;
import dev.tandem.hub.SharedPage;
import dev.tandem.hub.Since;
import dev.tandem.store.StoredEvent;
import io.lettuce.core.ScriptOutputType;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster broker on Redis. Non-durable channels are sequenced by one Lua script per publish that, atomically,
 * takes the channel's next seq from a hash ({@code seq}, {@code epoch}), appends the publication to the channel's
 * stream (entry id {@code seq-0}, trimmed to {@code historySize}, expiring after {@code historyTtl}) and
 * PUBLISHes it on the cluster's one bus channel. Because Redis runs the script alone, the bus carries every
 * channel's publications in seq order, and every node, subscribed once to the bus, sees one order. Durable
 * commits (sequenced by the shared store) and ephemeral frames travel on the same bus from the node that made
 * them; a node skips its own.
 *
 * <p>Bus messages are NUL-separated fields: {@code m} (publication: channel, epoch, seq, timestamp, ttl, user,
 * payload), {@code d} (durable: node, channel, seq, type, message id, user, created, payload), {@code b}
 * (broadcast: node, channel, base64 frame). The payload is last so it may hold anything.
 */
public final class RedisBroker implements Broker {
    private static final Logger LOG = LoggerFactory.getLogger(RedisBroker.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String SEP = "\0";
    /** The channel hash (seq, epoch) outlives its history, so an idle channel keeps its epoch. */
    private static final long META_TTL_MILLIS = 24 * 3_600_000L;

    /** KEYS: meta, stream. ARGV: new epoch, known epoch, known seq, ts, ttl, user, payload, size, history ttl, bus, channel, meta ttl. */
    private static final String PUBLISH = """
            local epoch = redis.call('HGET', KEYS[1], 'epoch')
            if not epoch then
              if ARGV[2] ~= '' then epoch = ARGV[2] else epoch = ARGV[1] end
              local start = 0
              if ARGV[2] ~= '' then start = ARGV[3] end
              redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', start)
              redis.call('DEL', KEYS[2])
            elseif epoch == ARGV[2] then
              if tonumber(redis.call('HGET', KEYS[1], 'seq')) < tonumber(ARGV[3]) then
                redis.call('HSET', KEYS[1], 'seq', ARGV[3])
              end
            end
            local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
            redis.call('PEXPIRE', KEYS[1], ARGV[12])
            if tonumber(ARGV[8]) > 0 then
              redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[8], seq .. '-0', 't', ARGV[4], 'l', ARGV[5], 'u', ARGV[6], 'p', ARGV[7])
              redis.call('PEXPIRE', KEYS[2], ARGV[9])
            end
            redis.call('PUBLISH', ARGV[10], 'm\\0' .. ARGV[11] .. '\\0' .. epoch .. '\\0' .. seq .. '\\0' .. ARGV[4]
              .. '\\0' .. ARGV[5] .. '\\0' .. ARGV[6] .. '\\0' .. ARGV[7])
            return seq
            """;

    /**
     * KEYS: meta, stream. ARGV: from, to, count (0 = no entries), reverse (1/0), new epoch, meta ttl, known
     * epoch, known seq. Returns {epoch, seq, entries}. A channel read before its first publication gets its epoch
     * here, so a subscriber's position is valid from the start; one Redis lost (a restart) continues from what
     * the reading node knew of it, like {@link #PUBLISH}.
     */
    private static final String READ = """
            local epoch = redis.call('HGET', KEYS[1], 'epoch')
            if not epoch then
              local start = 0
              if ARGV[7] ~= '' then epoch = ARGV[7]; start = ARGV[8] else epoch = ARGV[5] end
              redis.call('HSET', KEYS[1], 'epoch', epoch, 'seq', start)
              redis.call('PEXPIRE', KEYS[1], ARGV[6])
              redis.call('DEL', KEYS[2])
            end
            local seq = redis.call('HGET', KEYS[1], 'seq')
            local rows = {}
            if tonumber(ARGV[3]) > 0 then
              if ARGV[4] == '1' then
                rows = redis.call('XREVRANGE', KEYS[2], ARGV[2], ARGV[1], 'COUNT', ARGV[3])
              else
                rows = redis.call('XRANGE', KEYS[2], ARGV[1], ARGV[2], 'COUNT', ARGV[3])
              end
            end
            return {epoch, seq, rows}
            """;

    private final RedisConnection redis;
    private final String bus;

    public RedisBroker(RedisConnection redis) {
        this.redis = redis;
        this.bus = redis.key("bus");
    }

    /** Subscribes this node to the bus, delivering to {@code receiver}, and resyncs it after every outage. */
    public void start(Receiver receiver) {
        redis.subscribe(bus, message -> dispatch(message, receiver));
        redis.onReconnect(receiver::resync);
    }

    @Override
    public boolean clustered() {
        return true;
    }

    @Override
    public CompletableFuture<Long> publish(String channel, NamespaceConfig policy, String payloadJson, String userId,
                                           long timestamp, long ttlMillis, Since known) {
        int size = policy.history() == NamespaceConfig.HistoryMode.memory ? policy.historySize() : 0;
        String[] keys = {metaKey(channel), streamKey(channel)};
        String[] args = {newEpoch(), known == null ? "" : known.epoch(), known == null ? "0" : Long.toString(known.seq()),
                Long.toString(timestamp), Long.toString(ttlMillis), userId == null ? "" : userId, payloadJson,
                Integer.toString(size), Long.toString(policy.historyTtl().toMillis()), bus, channel,
                Long.toString(metaTtl(policy))};
        return redis.call(c -> c.<Long>eval(PUBLISH, ScriptOutputType.INTEGER, keys, args));
    }

    @Override
    public CompletableFuture<SharedPage> after(String channel, NamespaceConfig policy, long after, int limit,
                                               Since known) {
        boolean none = policy.history() != NamespaceConfig.HistoryMode.memory || after == Long.MAX_VALUE;
        return read(channel, policy, "(" + after + "-0", "+", none ? 0 : limit + 1, false, known);
    }

    @Override
    public CompletableFuture<SharedPage> before(String channel, NamespaceConfig policy, long before, int limit,
                                                Since known) {
        boolean none = policy.history() != NamespaceConfig.HistoryMode.memory;
        String to = before < 0 ? "+" : "(" + before + "-0";
        return read(channel, policy, "-", to, none ? 0 : limit + 1, true, known);
    }

    @Override
    public void committed(StoredEvent event) {
        send(String.join(SEP, "d", redis.nodeId(), event.channel(), Long.toString(event.seq()), event.type(),
                nullable(event.messageId()), nullable(event.userId()), Long.toString(event.createdAt()), event.payload()));
    }

    @Override
    public void broadcast(String channel, byte[] frame) {
        send(String.join(SEP, "b", redis.nodeId(), channel, Base64.getEncoder().encodeToString(frame)));
    }

    private void send(String message) {
        redis.publish(bus, message);
    }

    private CompletableFuture<SharedPage> read(String channel, NamespaceConfig policy, String from, String to,
                                               int count, boolean reverse, Since known) {
        String[] keys = {metaKey(channel), streamKey(channel)};
        String[] args = {from, to, Integer.toString(count), reverse ? "1" : "0", newEpoch(), Long.toString(metaTtl(policy)),
                known == null ? "" : known.epoch(), known == null ? "0" : Long.toString(known.seq())};
        long limit = count - 1;
        long oldest = System.currentTimeMillis() - policy.historyTtl().toMillis();
        return redis.<List<Object>>call(c -> c.eval(READ, ScriptOutputType.MULTI, keys, args))
                .thenApply(reply -> page(channel, reply, limit, oldest, reverse));
    }

    @SuppressWarnings("unchecked")
    private static SharedPage page(String channel, List<Object> reply, long limit, long oldest, boolean reverse) {
        String epoch = (String) reply.get(0);
        long latest = Long.parseLong((String) reply.get(1));
        List<SharedEvent> events = new ArrayList<>();
        boolean more = false;
        for (Object row : (List<Object>) reply.get(2)) {
            if (events.size() == limit) {
                more = true;
                break;
            }
            List<Object> entry = (List<Object>) row;
            SharedEvent event = entry(channel, (String) entry.get(0), (List<Object>) entry.get(1));
            if (event.event().createdAt() > oldest) {
                events.add(event);
            }
        }
        if (reverse) {
            java.util.Collections.reverse(events);
        }
        return new SharedPage(events, latest, more, epoch);
    }

    private static SharedEvent entry(String channel, String id, List<Object> fields) {
        long seq = Long.parseLong(id.substring(0, id.indexOf('-')));
        String ts = null;
        String ttl = "0";
        String user = "";
        String payload = "null";
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            String value = (String) fields.get(i + 1);
            switch ((String) fields.get(i)) {
                case "t" -> ts = value;
                case "l" -> ttl = value;
                case "u" -> user = value;
                case "p" -> payload = value;
                default -> { }
            }
        }
        return publication(channel, seq, Long.parseLong(ts), Long.parseLong(ttl), user, payload);
    }

    private static SharedEvent publication(String channel, long seq, long ts, long ttl, String user, String payload) {
        StoredEvent event = new StoredEvent(channel, seq, "publication", null, payload, user.isEmpty() ? null : user,
                null, ts);
        return new SharedEvent(event, ttl > 0 ? ts + ttl : 0);
    }

    private void dispatch(String message, Receiver receiver) {
        try {
            switch (message.charAt(0)) {
                case 'm' -> {
                    String[] f = message.split(SEP, 8);
                    receiver.receivePublication(f[1], f[2], publication(f[1], Long.parseLong(f[3]), Long.parseLong(f[4]),
                            Long.parseLong(f[5]), f[6], f[7]));
                }
                case 'd' -> {
                    String[] f = message.split(SEP, 9);
                    if (!f[1].equals(redis.nodeId())) {
                        receiver.receiveCommitted(new StoredEvent(f[2], Long.parseLong(f[3]), f[4], orNull(f[5]), f[8],
                                orNull(f[6]), null, Long.parseLong(f[7])));
                    }
                }
                case 'b' -> {
                    String[] f = message.split(SEP, 4);
                    if (!f[1].equals(redis.nodeId())) {
                        receiver.receiveBroadcast(f[2], Base64.getDecoder().decode(f[3].getBytes(StandardCharsets.US_ASCII)));
                    }
                }
                default -> LOG.warn("unknown bus message kind {}", message.charAt(0));
            }
        } catch (RuntimeException e) {
            LOG.error("bus message could not be handled", e);
        }
    }

    private String metaKey(String channel) {
        return redis.key("ch:" + channel);
    }

    private String streamKey(String channel) {
        return redis.key("hist:" + channel);
    }

    private static long metaTtl(NamespaceConfig policy) {
        return Math.max(META_TTL_MILLIS, 2 * policy.historyTtl().toMillis());
    }

    private static String newEpoch() {
        return Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }

    private static String nullable(String value) {
        return value == null ? "" : value;
    }

    private static String orNull(String value) {
        return value.isEmpty() ? null : value;
    }
}
