package dev.tandem.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.TandemVersion;
import dev.tandem.auth.Identity;
import dev.tandem.config.AuthConfig;
import dev.tandem.config.LimitsConfig;
import dev.tandem.config.TandemConfig;
import dev.tandem.hub.Hub;
import dev.tandem.limits.CommandBudget;
import dev.tandem.limits.ConnectionLimits;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every live session on this node. Opens sessions (ids, bounded queues, loop writers, command budgets), admits
 * them against the per-address and per-user connection limits, gives them their identity (at the handshake,
 * or later by {@code connect}; replaced by {@code refresh}) and watches its expiry, and on close removes their
 * subscriptions from the hub, so a vanished client never stays in a fanout list. Writes the one log line per
 * connect and per disconnect (with its reason) that operators grep for.
 */
public final class SessionRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ANONYMOUS_PREFIX = "anon-";

    /** Bytes waiting in every connection's outbound queue, kept by the queues themselves. */
    private final LongAdder queuedBytes = new LongAdder();
    private final Hub hub;
    private final LimitsConfig limits;
    private final AuthConfig auth;
    private final long pingIntervalMillis;
    private final TandemMetrics metrics;
    private final ConnectionLimits connectionLimits;
    private final LoopWriters writers;
    private final ConcurrentHashMap<String, Tracked> sessions = new ConcurrentHashMap<>();
    private final List<Consumer<Session>> closeListeners = new CopyOnWriteArrayList<>();

    public SessionRegistry(TandemConfig config, Hub hub, TandemMetrics metrics) {
        this.hub = hub;
        this.limits = config.limits();
        this.auth = config.auth();
        this.pingIntervalMillis = config.connection().pingInterval().toMillis();
        this.metrics = metrics;
        this.connectionLimits = new ConnectionLimits(config.limits(), config.dev());
        this.writers = new LoopWriters(metrics, config.transports().flushDelay().toNanos());
        metrics.outboundQueueBytes(queuedBytes::sum);
    }

    /** Runs {@code listener} for every session that ends (after its subscriptions are gone), on its event loop. */
    public void onClose(Consumer<Session> listener) {
        closeListeners.add(listener);
    }

    /** The {@code connected} frame: the first frame a client gets once identified, and the reply to {@code connect}. */
    public ObjectNode connected(Session session, JsonNode requestId) {
        ObjectNode frame = FrameCodec.envelope("connected", requestId, null);
        Identity identity = session.identity();
        ObjectNode payload = frame.putObject("payload")
                .put("connectionId", session.id())
                .put("userId", identity.userId())
                .put("pingInterval", pingIntervalMillis)
                .put("serverVersion", TandemVersion.VERSION);
        if (identity.expiresAt() != null) {
            payload.put("expiresAt", identity.expiresAt().toEpochMilli());
        }
        return frame;
    }

    /** Opens a session for a client whose handshake identified it, and sends {@code connected} as its first frame. */
    public Session open(Identity identity, SessionTransport transport) {
        Session session = register(identity, transport);
        if (session.isIdentified()) {
            session.send(connected(session, null));
        }
        return session;
    }

    /**
     * Opens a session without the native {@code connected} frame, for wire protocols that answer the
     * handshake in their own terms (STOMP's {@code CONNECTED}). A session refused by a connection limit is
     * already being closed and is not identified.
     */
    public Session register(Identity identity, SessionTransport transport) {
        Session session = create(null, transport);
        if (admit(session) && identified(session, identity)) {
            LOG.info("connect id={} user={} transport={} remote={}", session.id(), identity.userId(), transport.name(),
                    transport.remoteAddress());
        }
        return session;
    }

    /**
     * Opens a session whose handshake carried no credentials: it sends nothing until the client's
     * {@code connect} frame identifies it, and is closed with 4001 after {@code auth.connectTimeout} otherwise.
     */
    public Session openAwaitingConnect(SessionTransport transport) {
        Session session = create(null, transport);
        if (admit(session)) {
            Duration timeout = auth.connectTimeout();
            transport.eventLoop().schedule(() -> {
                if (!session.isIdentified()) {
                    LOG.warn("auth failure reason=connect_timeout remote={}", transport.remoteAddress());
                    metrics.refused("connect_timeout");
                    session.disconnect(CloseCode.UNAUTHORIZED, "no 'connect' with a token within " + timeout.toMillis() + " ms");
                }
            }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        return session;
    }

    /** Identifies a session that was awaiting {@code connect}, and answers {@code connected}. */
    public void identify(Session session, Identity identity, JsonNode requestId) {
        if (identified(session, identity)) {
            LOG.info("connect id={} user={} transport={} remote={}", session.id(), identity.userId(),
                    session.transport().name(), session.transport().remoteAddress());
            session.send(connected(session, requestId));
        }
    }

    /** Replaces the identity after {@code refresh} (same user, later expiry) and re-arms the expiry watch. */
    public void refresh(Session session, Identity identity) {
        session.identify(identity);
        Tracked tracked = sessions.get(session.id());
        if (tracked != null) {
            watchExpiry(tracked, identity);
        }
    }

    /** Called once by the transport when the connection is gone, whoever closed it. */
    public void closed(Session session) {
        Tracked tracked = sessions.remove(session.id());
        if (tracked == null) {
            return;
        }
        tracked.release(connectionLimits);
        session.closedByPeer("connection closed by client");
        session.subscriptions().drain().forEach(channel -> hub.unsubscribe(session, channel));
        closeListeners.forEach(listener -> listener.accept(session));
        metrics.connections().add(session.transport().name(), -1);
        Session.CloseReason reason = session.closeReason();
        metrics.disconnects(reason.code()).increment();
        LOG.info("disconnect id={} user={} code={} reason=\"{}\"", session.id(), session.userId(),
                reason.code().code(), reason.reason());
    }

    /** The live session with this id on this node, or null. */
    public Session find(String id) {
        Tracked tracked = sessions.get(id);
        return tracked == null ? null : tracked.session;
    }

    /**
     * Whether the node is full: at {@code limits.maxConnections}, or holding more than {@code limits.maxQueuedBytes}
     * in its connections' outbound queues (it is already behind). New connections are then refused with 1013.
     */
    public boolean atCapacity() {
        return sessions.size() >= limits.maxConnections() || queuedBytes.sum() > limits.maxQueuedBytes();
    }

    public int size() {
        return sessions.size();
    }

    /** Open sessions by transport name ({@code ws}, ...); walks every session, so for dashboards, not hot paths. */
    public Map<String, Integer> countByTransport() {
        Map<String, Integer> counts = new TreeMap<>();
        for (Tracked tracked : sessions.values()) {
            counts.merge(tracked.session.transport().name(), 1, Integer::sum);
        }
        return counts;
    }

    /** Disconnects every session of {@code userId} on this node; returns how many there were. */
    public int disconnectUser(String userId, CloseCode code, String reason) {
        return disconnectWhere(identity -> userId.equals(identity.userId()), code, reason);
    }

    /** Disconnects every identified session on this node whose identity matches; returns how many there were. */
    public int disconnectWhere(Predicate<Identity> matches, CloseCode code, String reason) {
        int count = 0;
        for (Tracked tracked : sessions.values()) {
            Identity identity = tracked.session.identity();
            if (identity != null && matches.test(identity)) {
                tracked.session.disconnect(code, reason);
                count++;
            }
        }
        return count;
    }

    /** Disconnects every session, e.g. with 1012 on shutdown. */
    public void disconnectAll(CloseCode code, String reason) {
        sessions.values().forEach(t -> t.session.disconnect(code, reason));
    }

    /** An anonymous user id: {@code anon-} and eight random characters. */
    public static String anonymousUserId() {
        return newId(ANONYMOUS_PREFIX);
    }

    /** Whether {@code userId} was minted by {@link #anonymousUserId()}. */
    public static boolean isAnonymous(String userId) {
        return userId != null && userId.startsWith(ANONYMOUS_PREFIX);
    }

    private Session create(Identity identity, SessionTransport transport) {
        OutboundQueue queue = new OutboundQueue(limits.outboundQueueFrames(), limits.outboundQueueBytes(),
                metrics::droppedFrame, queuedBytes);
        CommandBudget budget = new CommandBudget(limits.commandRate(), limits.commandBurst(), limits.floodDisconnectAfter());
        Session session = new Session(newSessionId(), identity, transport, queue, writers.of(transport.eventLoop()), metrics,
                budget);
        sessions.put(session.id(), new Tracked(session));
        metrics.connections().add(transport.name(), 1);
        return session;
    }

    private boolean admit(Session session) {
        // Interned: thousands of connections from one address (a NAT, a load balancer) share one string.
        String host = ConnectionLimits.hostOf(session.transport().remoteAddress()).intern();
        if (!connectionLimits.admitHost(host)) {
            refuse(session, "too many connections from this address", "connections_per_ip");
            return false;
        }
        sessions.get(session.id()).host = host;
        return true;
    }

    private boolean identified(Session session, Identity identity) {
        Tracked tracked = sessions.get(session.id());
        if (tracked == null) {
            return false;
        }
        if (!identity.anonymous()) {
            if (!connectionLimits.admitUser(identity.userId())) {
                refuse(session, "too many connections for this user", "connections_per_user");
                return false;
            }
            tracked.user = identity.userId();
        }
        session.identify(identity);
        watchExpiry(tracked, identity);
        return true;
    }

    private void refuse(Session session, String reason, String code) {
        LOG.warn("connection refused reason={} remote={}", code, session.transport().remoteAddress());
        metrics.refused(code);
        session.disconnect(CloseCode.POLICY, reason);
    }

    /**
     * When the token expires: {@code error unauthorized}, then close 4001 after the grace period unless a
     * {@code refresh} replaced the identity in between.
     */
    private void watchExpiry(Tracked tracked, Identity identity) {
        if (tracked.expiry != null) {
            tracked.expiry.cancel(false);
        }
        if (identity.expiresAt() == null) {
            return;
        }
        Session session = tracked.session;
        long delay = Math.max(0, Duration.between(Instant.now(), identity.expiresAt()).toMillis());
        long grace = auth.expiryGrace().toMillis();
        tracked.expiry = session.transport().eventLoop().schedule(() -> {
            if (session.identity() != identity) {
                return;
            }
            session.sendError(null, ErrorCode.UNAUTHORIZED, "token expired; send 'refresh' with a new token within " + grace + " ms");
            tracked.expiry = session.transport().eventLoop().schedule(() -> {
                if (session.identity() == identity) {
                    LOG.warn("auth failure reason=expired_not_refreshed remote={}", session.transport().remoteAddress());
                    metrics.refused("expired_not_refreshed");
                    session.disconnect(CloseCode.UNAUTHORIZED, "token expired");
                }
            }, grace, TimeUnit.MILLISECONDS);
        }, delay, TimeUnit.MILLISECONDS);
    }

    /**
     * 126 random bits: HTTP fallback transports address a session by its id ({@code POST /session/{id}},
     * poll cursors), so it must be unguessable.
     */
    private static String newSessionId() {
        return newId("c_") + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }

    private static String newId(String prefix) {
        return prefix + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }

    /** A live session and what it was counted against, released exactly once on close. */
    private static final class Tracked {
        final Session session;
        volatile String host;
        volatile String user;
        volatile Future<?> expiry;

        Tracked(Session session) {
            this.session = session;
        }

        void release(ConnectionLimits limits) {
            if (host != null) {
                limits.releaseHost(host);
            }
            if (user != null) {
                limits.releaseUser(user);
            }
            if (expiry != null) {
                expiry.cancel(false);
            }
        }
    }
}
