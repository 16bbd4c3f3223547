package dev.tandem.session;

import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.InboundFrame;
import dev.tandem.protocol.ProtocolException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps command types to handlers. Each service registers its own commands (channels here; presence, chat and
 * entities in their packages), so adding a feature adds a registration, not a branch in a switch. Every
 * failure becomes an {@code error} reply; a bad command never closes a connection that can go on.
 */
public final class CommandRouter {
    private static final Logger LOG = LoggerFactory.getLogger(CommandRouter.class);

    private final Map<String, CommandHandler> handlers = new HashMap<>();

    public CommandRouter register(String type, CommandHandler handler) {
        if (handlers.putIfAbsent(type, handler) != null) {
            throw new IllegalStateException("two handlers for command type " + type);
        }
        return this;
    }

    public void dispatch(Session session, InboundFrame frame) {
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
            session.sendError(frame.requestId(), e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("command {} failed on session {}", frame.type(), session.id(), e);
            session.sendError(frame.requestId(), ErrorCode.INTERNAL, "internal error");
        }
    }
}
