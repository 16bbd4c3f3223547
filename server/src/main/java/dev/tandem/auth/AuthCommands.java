package dev.tandem.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.InboundFrame;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.CommandRouter;
import dev.tandem.session.Session;
import dev.tandem.session.SessionRegistry;

/**
 * The authentication commands of the native protocol. {@code connect} identifies a connection whose handshake
 * had no token (a bad or missing token gets {@code error unauthorized} and close 4001); on a connection that is
 * already identified it answers {@code connected} again. {@code refresh} replaces the token of an identified
 * connection before (or shortly after) it expires, for the same user only, and answers {@code refreshed}.
 */
public final class AuthCommands {
    private final Authenticator authenticator;
    private final SessionRegistry sessions;

    public AuthCommands(Authenticator authenticator, SessionRegistry sessions) {
        this.authenticator = authenticator;
        this.sessions = sessions;
    }

    public void registerOn(CommandRouter router) {
        router.register("connect", this::connect).register("refresh", this::refresh);
    }

    private void connect(Session session, InboundFrame frame) {
        String token = optionalToken(frame);
        if (session.isIdentified()) {
            if (token != null && authenticator.verifiesTokens()) {
                replaceToken(session, token);
            }
            session.send(sessions.connected(session, frame.requestId()));
            return;
        }
        if (token == null) {
            refuse(session, frame.requestId(), "'token' is required");
            return;
        }
        Identity identity;
        try {
            identity = authenticator.verify(token, session.transport().remoteAddress());
        } catch (ProtocolException e) {
            refuse(session, frame.requestId(), e.getMessage());
            return;
        }
        sessions.identify(session, identity, frame.requestId());
    }

    private void refresh(Session session, InboundFrame frame) {
        if (!session.isIdentified()) {
            throw new ProtocolException(ErrorCode.UNAUTHORIZED, "send 'connect' with a token first");
        }
        String token = optionalToken(frame);
        if (token == null) {
            throw ProtocolException.badRequest("'token' is required for refresh");
        }
        Identity identity = authenticator.verifiesTokens() ? replaceToken(session, token) : session.identity();
        ObjectNode reply = FrameCodec.envelope("refreshed", frame.requestId(), null);
        ObjectNode payload = reply.putObject("payload").put("userId", identity.userId());
        if (identity.expiresAt() != null) {
            payload.put("expiresAt", identity.expiresAt().toEpochMilli());
        }
        session.send(reply);
    }

    private Identity replaceToken(Session session, String token) {
        Identity identity = authenticator.verify(token, session.transport().remoteAddress());
        if (!identity.userId().equals(session.userId()) || session.identity().anonymous()) {
            throw new ProtocolException(ErrorCode.UNAUTHORIZED, "the token is for another user than this connection");
        }
        sessions.refresh(session, identity);
        return identity;
    }

    private static void refuse(Session session, JsonNode requestId, String message) {
        session.sendError(requestId, ErrorCode.UNAUTHORIZED, message);
        // Queued after the writer's flush of the error, so the client reads the error before the close.
        session.transport().eventLoop().execute(() -> session.disconnect(CloseCode.UNAUTHORIZED, message));
    }

    private static String optionalToken(InboundFrame frame) {
        JsonNode token = frame.body().get("token");
        if (token == null || token.isNull()) {
            token = frame.payload().get("token");
        }
        if (token == null || token.isNull()) {
            return null;
        }
        if (!token.isTextual()) {
            throw ProtocolException.badRequest("'token' must be a string");
        }
        return token.textValue();
    }
}
