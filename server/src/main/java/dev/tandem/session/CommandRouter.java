package dev.tandem.session;

import dev.tandem.auth.Identity;
import dev.tandem.limits.CommandBudget;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.InboundFrame;
import dev.tandem.protocol.ProtocolException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps command types to handlers. Each service registers its own commands (channels here; presence, chat and
 * entities in their packages), so adding a feature adds a registration, not a branch in a switch. Every
 * failure becomes an {@code error} reply; a bad command never closes a connection that can go on. Before a
 * handler runs, two gates apply to every command: the connection's rate budget ({@code rate_limited}, and
 * close 4029 for a client that keeps flooding), and authentication (until {@code connect} succeeds, and once
 * the token has expired, only {@code connect}, {@code refresh} and {@code ping} run).
 */
public final class CommandRouter {
    private static final Logger LOG = LoggerFactory.getLogger(CommandRouter.class);

    private static final Set<String> WITHOUT_IDENTITY = Set.of("connect", "refresh", "ping");

    private final Map<String, CommandHandler> handlers = new HashMap<>();

    public CommandRouter register(String type, CommandHandler handler) {
        if (handlers.putIfAbsent(type, handler) != null) {
            throw new IllegalStateException("two handlers for command type " + type);
        }
        return this;
    }

    public void dispatch(Session session, InboundFrame frame) {
        CommandBudget.Verdict verdict = session.commandBudget().take();
        if (verdict == CommandBudget.Verdict.FLOODING) {
            LOG.warn("closing flooding connection id={} user={} remote={}", session.id(), session.userId(),
                    session.transport().remoteAddress());
            session.metrics().refused("flooding");
            session.disconnect(CloseCode.RATE_LIMITED, "too many commands: flooding");
            return;
        }
        if (verdict == CommandBudget.Verdict.LIMITED) {
            session.metrics().refused("rate_limited");
            session.sendError(frame.requestId(), ErrorCode.RATE_LIMITED, "too many commands; slow down");
            return;
        }
        if (frame.type() != null && !WITHOUT_IDENTITY.contains(frame.type()) && !authenticated(session)) {
            session.sendError(frame.requestId(), ErrorCode.UNAUTHORIZED, session.isIdentified()
                    ? "token expired; send 'refresh' with a new token" : "send 'connect' with a token first");
            return;
        }
        if (frame.type() == null) {
            session.sendError(frame.requestId(), ErrorCode.BAD_REQUEST, "'type' is required and must be a string");
            return;
        }
        CommandHandler handler = handlers.get(frame.type());
        if (handler == null) {
            session.sendError(frame.requestId(), ErrorCode.BAD_REQUEST, "unknown type '" + frame.type() + "'");
            return;
        }
        try {
            handler.handle(session, frame);
        } catch (ProtocolException e) {
            session.sendError(frame.requestId(), e.code(), e.getMessage(), e.details());
        } catch (RuntimeException e) {
            LOG.error("command {} failed on session {}", frame.type(), session.id(), e);
            session.sendError(frame.requestId(), ErrorCode.INTERNAL, "internal error");
        }
    }

    private static boolean authenticated(Session session) {
        Identity identity = session.identity();
        return identity != null && (identity.expiresAt() == null || !identity.expiredAt(Instant.now()));
    }
}
