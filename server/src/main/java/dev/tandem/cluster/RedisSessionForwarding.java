package dev.tandem.cluster;

import dev.tandem.auth.Identity;
import dev.tandem.transport.oneway.SessionCommandEndpoint;
import dev.tandem.transport.oneway.SessionForwarding;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.netty.util.concurrent.EventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes {@code POST /session/{id}} commands to whichever node holds the session, through Redis: the receiving
 * node publishes them once on the cluster's {@code sessions} channel; the node holding the session dispatches
 * them and answers on the asking node's own channel; no answer within {@link #ANSWER_WITHIN_MILLIS} means no
 * node holds it. Each node subscribes to two channels in all (sessions, and its own), never per session.
 *
 * <p>Messages are NUL-separated: {@code f} (asking node, request id, session id, user id, anonymous 0/1, base64
 * body) and {@code a} (request id).
 */
public final class RedisSessionForwarding implements SessionForwarding {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSessionForwarding.class);
    private static final String SEP = "\0";
    static final long ANSWER_WITHIN_MILLIS = 3000;

    private final RedisConnection redis;
    private final String sessionsChannel;
    private final String ownChannel;
    private final AtomicLong requestIds = new AtomicLong();
    private final ConcurrentHashMap<String, CompletableFuture<Boolean>> waiting = new ConcurrentHashMap<>();
    private final EventExecutor timer;

    public RedisSessionForwarding(RedisConnection redis, EventExecutor timer) {
        this.redis = redis;
        this.timer = timer;
        this.sessionsChannel = redis.key("sessions");
        this.ownChannel = redis.key("node:" + redis.nodeId());
    }

    /** Subscribes this node, taking forwarded commands for the sessions {@code endpoint} holds. */
    public void start(SessionCommandEndpoint endpoint) {
        redis.subscribe(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                try {
                    if (sessionsChannel.equals(channel)) {
                        take(message, endpoint);
                    } else if (ownChannel.equals(channel)) {
                        answered(message);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("forwarded session command could not be handled: {}", e.toString());
                }
            }
        }, sessionsChannel, ownChannel);
    }

    @Override
    public CompletableFuture<Boolean> forward(String sessionId, Identity user, byte[] body) {
        String requestId = redis.nodeId() + "-" + requestIds.incrementAndGet();
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        waiting.put(requestId, answer);
        timer.schedule(() -> settle(requestId, false), ANSWER_WITHIN_MILLIS, TimeUnit.MILLISECONDS);
        String message = String.join(SEP, "f", ownChannel, requestId, sessionId, user.userId(),
                user.anonymous() ? "1" : "0", Base64.getEncoder().encodeToString(body));
        redis.call(c -> c.publish(sessionsChannel, message)).exceptionally(failure -> {
            settle(requestId, false);
            return 0L;
        });
        return answer;
    }

    private void take(String message, SessionCommandEndpoint endpoint) {
        String[] f = message.split(SEP, 7);
        if (!"f".equals(f[0]) || ownChannel.equals(f[1])) {
            return;
        }
        byte[] body = Base64.getDecoder().decode(f[6].getBytes(StandardCharsets.US_ASCII));
        if (endpoint.deliver(f[3], f[4], "1".equals(f[5]), body)) {
            redis.call(c -> c.publish(f[1], String.join(SEP, "a", f[2])));
        }
    }

    private void answered(String message) {
        String[] f = message.split(SEP, 2);
        if ("a".equals(f[0])) {
            settle(f[1], true);
        }
    }

    private void settle(String requestId, boolean taken) {
        CompletableFuture<Boolean> answer = waiting.remove(requestId);
        if (answer != null) {
            answer.complete(taken);
        }
    }
}
