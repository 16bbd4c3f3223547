package dev.tandem.transport.oneway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.auth.Authenticator;
import dev.tandem.auth.Identity;
import dev.tandem.config.TandemConfig;
import dev.tandem.limits.NodeLoad;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.InboundFrame;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.CommandRouter;
import dev.tandem.session.Session;
import dev.tandem.session.SessionRegistry;
import dev.tandem.transport.HttpExchange;

/**
 * What the HTTP fallback transports share: who the caller is (the same {@link Authenticator} entry point as
 * WebSocket), opening a session and resuming every subscription named by a {@link Cursor}, finding a live
 * session for a request that names it, and dispatching commands so that the cursor stays exact.
 *
 * <p>Sessions are bound to their user: a request may act on a session only when it authenticates as the
 * session's user (anonymous sessions, whose users are minted per request, are reachable by their unguessable
 * id alone). A reconnect that presents the cursor of a session still open here supersedes it: the old session
 * closes at once instead of lingering until TCP notices the dead peer.
 */
public final class OneWaySessions {
    private static final String LAST_EVENT_ID = "Last-Event-ID";

    private final TandemConfig config;
    private final Authenticator authenticator;
    private final SessionRegistry registry;
    private final CommandRouter commands;

    public OneWaySessions(TandemConfig config, Authenticator authenticator, SessionRegistry registry,
                          CommandRouter commands) {
        this.config = config;
        this.authenticator = authenticator;
        this.registry = registry;
        this.commands = commands;
    }

    public TandemConfig config() {
        return config;
    }

    /** Who the caller is; throws {@code unauthorized}/{@code forbidden} as for a WebSocket handshake. */
    public Identity authenticate(HttpExchange exchange) {
        return authenticator.requireIdentity(exchange.query(), exchange.headers(), exchange.remoteAddress());
    }

    /** Refuses a new session with {@code unavailable} (503) when the node is at {@code limits.maxConnections}. */
    public void admit() {
        if (registry.atCapacity()) {
            throw new ProtocolException(ErrorCode.UNAVAILABLE, "server at capacity, retry later",
                    NodeLoad.CONNECTION_RETRY_AFTER);
        }
    }

    /** The resume token of a request: the {@code Last-Event-ID} header, else the {@code cursor} parameter. */
    public Cursor cursorOf(HttpExchange exchange) {
        String text = exchange.headers().get(LAST_EVENT_ID);
        if (text == null || text.isEmpty()) {
            text = exchange.param("cursor");
        }
        return Cursor.parse(text, config.limits().maxSubscriptionsPerConnection());
    }

    /** The live session {@code id} when {@code userId} may use it, else null. */
    public Session find(String id, Identity user) {
        Session session = id == null || id.isEmpty() ? null : registry.find(id);
        return session != null && mayUse(session, user) ? session : null;
    }

    /** As {@link #find(String, Identity)}, for a user known by id only (commands forwarded by another node). */
    public Session find(String id, String userId, boolean anonymous) {
        Session session = id == null || id.isEmpty() ? null : registry.find(id);
        return session != null && mayUse(session, userId, anonymous) ? session : null;
    }

    private static boolean mayUse(Session session, Identity user) {
        return mayUse(session, user.userId(), user.anonymous());
    }

    private static boolean mayUse(Session session, String userId, boolean anonymous) {
        return userId.equals(session.userId())
                || (session.isIdentified() && session.identity().anonymous() && anonymous);
    }

    /**
     * Opens a session on {@code transport} ({@code connected} first) and, when {@code cursor} is given,
     * closes the session it came from and re-subscribes every channel it names with {@code since}. Must run on
     * the transport's event loop, so the recovered frames are queued right behind {@code connected}.
     */
    public Session open(Identity user, ResumableTransport transport, Cursor cursor) {
        if (cursor != null) {
            Session previous = find(cursor.sessionId(), user);
            if (previous != null) {
                previous.disconnect(CloseCode.NORMAL, "resumed by a newer connection");
            }
        }
        Session session = registry.open(user, transport);
        transport.bind(session);
        if (cursor != null) {
            for (Cursor.Position position : cursor.positions()) {
                dispatch(session, FrameCodec.parse(resubscribe(position)));
            }
        }
        return session;
    }

    private static ObjectNode resubscribe(Cursor.Position position) {
        ObjectNode frame = FrameCodec.JSON.createObjectNode().put("type", "subscribe").put("channel", position.channel());
        frame.putObject("since").put("seq", position.seq()).put("epoch", position.epoch());
        return frame;
    }

    /**
     * Dispatches one command on the session's event loop. A subscribe with {@code since} is announced to the
     * cursor tracker first, so the position stays at {@code since} until the replayed events are delivered.
     */
    public void dispatch(Session session, InboundFrame frame) {
        if ("subscribe".equals(frame.type()) && session.transport() instanceof ResumableTransport resumable) {
            JsonNode channel = frame.body().path("channel");
            JsonNode sinceSeq = frame.body().path("since").path("seq");
            if (channel.isTextual() && sinceSeq.isIntegralNumber()) {
                resumable.tracker().expectRecovery(channel.textValue(), sinceSeq.asLong());
            }
        }
        commands.dispatch(session, frame);
    }
}
