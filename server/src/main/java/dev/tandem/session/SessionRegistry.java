package dev.tandem.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.TandemVersion;
import dev.tandem.config.LimitsConfig;
import dev.tandem.config.TandemConfig;
import dev.tandem.hub.Hub;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.FrameCodec;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every live session on this node. Opens sessions (ids, bounded queues, loop writers), and on close removes
 * their subscriptions from the hub, so a vanished client never stays in a fanout list. Writes the one log line
 * per connect and per disconnect (with its reason) that operators grep for.
 */
public final class SessionRegistry {
    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Hub hub;
    private final LimitsConfig limits;
    private final long pingIntervalMillis;
    private final TandemMetrics metrics;
    private final LoopWriters writers = new LoopWriters();
    private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
    private final List<Consumer<Session>> closeListeners = new CopyOnWriteArrayList<>();

    public SessionRegistry(TandemConfig config, Hub hub, TandemMetrics metrics) {
        this.hub = hub;
        this.limits = config.limits();
        this.pingIntervalMillis = config.connection().pingInterval().toMillis();
        this.metrics = metrics;
    }

    /** Registers the {@code connect} command: answers {@code connected} again (the session already exists). */
    public void registerOn(CommandRouter router) {
        router.register("connect", (session, frame) -> session.send(connected(session, frame.requestId())));
    }

    /** Runs {@code listener} for every session that ends (after its subscriptions are gone), on its event loop. */
    public void onClose(Consumer<Session> listener) {
        closeListeners.add(listener);
    }

    /** The {@code connected} frame: the first frame a client gets, and the reply to {@code connect}. */
    public ObjectNode connected(Session session, JsonNode requestId) {
        ObjectNode frame = FrameCodec.envelope("connected", requestId, null);
        frame.putObject("payload")
                .put("connectionId", session.id())
                .put("userId", session.userId())
                .put("pingInterval", pingIntervalMillis)
                .put("serverVersion", TandemVersion.VERSION);
        return frame;
    }

    /** Opens a session and sends {@code connected} as its first frame. */
    public Session open(String userId, SessionTransport transport) {
        OutboundQueue queue = new OutboundQueue(limits.outboundQueueFrames(), limits.outboundQueueBytes(),
                metrics::droppedFrame);
        Session session = new Session(newId("c_"), userId, transport, queue, writers.of(transport.eventLoop()), metrics);
        sessions.put(session.id(), session);
        metrics.connections().incrementAndGet();
        LOG.info("connect id={} user={} transport={} remote={}", session.id(), userId, transport.name(),
                transport.remoteAddress());
        session.send(connected(session, null));
        return session;
    }

    /** Called once by the transport when the connection is gone, whoever closed it. */
    public void closed(Session session) {
        if (sessions.remove(session.id()) == null) {
            return;
        }
        session.closedByPeer("connection closed by client");
        List<String> channels;
        synchronized (session.subscriptions()) {
            channels = new ArrayList<>(session.subscriptions());
            session.subscriptions().clear();
        }
        channels.forEach(channel -> hub.unsubscribe(session, channel));
        closeListeners.forEach(listener -> listener.accept(session));
        metrics.connections().decrementAndGet();
        Session.CloseReason reason = session.closeReason();
        LOG.info("disconnect id={} user={} code={} reason=\"{}\"", session.id(), session.userId(),
                reason.code().code(), reason.reason());
    }

    /** Whether the node is at {@code limits.maxConnections}: new connections are then refused with 1013. */
    public boolean atCapacity() {
        return sessions.size() >= limits.maxConnections();
    }

    public int size() {
        return sessions.size();
    }

    /** Disconnects every session, e.g. with 1012 on shutdown. */
    public void disconnectAll(CloseCode code, String reason) {
        sessions.values().forEach(s -> s.disconnect(code, reason));
    }

    /** An anonymous user id: {@code anon-} and eight random characters. */
    public static String anonymousUserId() {
        return newId("anon-");
    }

    private static String newId(String prefix) {
        return prefix + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }
}
