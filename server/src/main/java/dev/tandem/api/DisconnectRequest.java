package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.SessionRegistry;

/**
 * "Disconnect this user" as the server API and the admin API both take it: {@code {userId, reconnect}}.
 * {@code reconnect: true} (the default) closes with 4008 so clients come back and resume; {@code false}
 * closes with 4003 and SDKs stop reconnecting.
 *
 * @param userId    whose sessions to close
 * @param reconnect whether clients may reconnect
 */
public record DisconnectRequest(String userId, boolean reconnect) {
    static final String REASON = "disconnected by the server API";

    /** Reads and validates the JSON body. */
    public static DisconnectRequest from(JsonNode body) {
        JsonNode userId = body.get("userId");
        if (userId == null || !userId.isTextual() || userId.textValue().isEmpty()) {
            throw ProtocolException.badRequest("'userId' is required and must be a non-empty string");
        }
        JsonNode reconnect = body.path("reconnect");
        if (!reconnect.isMissingNode() && !reconnect.isBoolean()) {
            throw ProtocolException.badRequest("'reconnect' must be a boolean");
        }
        return new DisconnectRequest(userId.textValue(), reconnect.asBoolean(true));
    }

    /** Closes the user's sessions on this node with {@code reason}; the reply {@code {userId, disconnected, code}}. */
    public ObjectNode apply(SessionRegistry sessions, String reason) {
        CloseCode code = reconnect ? CloseCode.POLICY : CloseCode.FORBIDDEN;
        int count = sessions.disconnectUser(userId, code, reason);
        return FrameCodec.JSON.createObjectNode().put("userId", userId).put("disconnected", count).put("code", code.code());
    }
}
