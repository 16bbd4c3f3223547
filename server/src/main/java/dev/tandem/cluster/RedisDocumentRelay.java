package dev.tandem.cluster;

import dev.tandem.docs.DocumentRelay;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link DocumentRelay} of a cluster: one Redis pub/sub channel, {@code {prefix}docs}, for every room of
 * every node; each node subscribes to it once (never per room) and ignores what it sent itself and answers
 * meant for another node. Messages go out on the node's one command connection in the order the rooms share
 * them, so every node applies one room's updates in the order they were applied where they came from (not that
 * Yjs needs it: its updates commute). Lost messages (a Redis outage) are made good when the relay comes back:
 * every node asks again for each room it holds.
 *
 * <p>Messages are NUL-separated: kind ({@code u} a y-protocols message to apply, {@code q} a sync request whose
 * payload is a state vector, {@code x} a deleted document), sending node, target node (empty: every node), room,
 * base64 payload.
 */
public final class RedisDocumentRelay implements DocumentRelay {
    private static final Logger LOG = LoggerFactory.getLogger(RedisDocumentRelay.class);
    private static final String SEP = "\0";

    private final RedisConnection redis;
    private final String channel;

    public RedisDocumentRelay(RedisConnection redis) {
        this.redis = redis;
        this.channel = redis.key("docs");
    }

    @Override
    public void share(String room, byte[] message) {
        send("u", "", room, message);
    }

    @Override
    public void requestSync(String room, byte[] stateVector) {
        send("q", "", room, stateVector);
    }

    @Override
    public void answer(String node, String room, byte[] message) {
        send("u", node, room, message);
    }

    @Override
    public void deleted(String room) {
        send("x", "", room, new byte[0]);
    }

    @Override
    public void start(Receiver receiver) {
        redis.subscribe(channel, message -> dispatch(message, receiver));
        redis.onReconnect(receiver::resync);
    }

    private void send(String kind, String target, String room, byte[] payload) {
        redis.publish(channel, String.join(SEP, kind, redis.nodeId(), target, room,
                Base64.getEncoder().encodeToString(payload)));
    }

    private void dispatch(String message, Receiver receiver) {
        try {
            String[] f = message.split(SEP, -1);
            if (f.length != 5 || f[1].equals(redis.nodeId()) || !(f[2].isEmpty() || f[2].equals(redis.nodeId()))) {
                return;
            }
            byte[] payload = Base64.getDecoder().decode(f[4].getBytes(StandardCharsets.US_ASCII));
            switch (f[0]) {
                case "u" -> receiver.relayed(f[1], f[3], payload);
                case "q" -> receiver.syncRequested(f[1], f[3], payload);
                case "x" -> receiver.deleted(f[3]);
                default -> LOG.warn("unknown document relay message kind {}", f[0]);
            }
        } catch (RuntimeException e) {
            LOG.error("document relay message could not be handled", e);
        }
    }
}
