package dev.tandem.presence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.config.PresenceConfig;
import dev.tandem.hub.ChannelName;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.InboundFrame;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.CommandRouter;
import dev.tandem.session.Session;

/**
 * The presence commands of the native protocol: {@code presence:join}, {@code presence:update},
 * {@code presence:heartbeat}, {@code presence:leave}, and {@code presence:get} (the member list for a
 * subscriber that watches without joining). Validates each frame (channel, access, state shape and
 * size, status) and hands it to the {@link PresenceService}.
 */
public final class PresenceCommands {
    private final PresenceService service;
    private final PresenceAccess access;

    public PresenceCommands(PresenceService service, PresenceAccess access) {
        this.service = service;
        this.access = access;
    }

    public void registerOn(CommandRouter router) {
        router.register("presence:join", this::join)
                .register("presence:update", this::update)
                .register("presence:heartbeat", this::heartbeat)
                .register("presence:leave", this::leave)
                .register("presence:get", this::get);
    }

    private void join(Session session, InboundFrame frame) {
        String channel = access.checkClient(session, frame.requireText("channel"));
        JsonNode state = state(frame, service.policy(channel));
        service.join(session, channel, state, frame.requestId());
    }

    private void get(Session session, InboundFrame frame) {
        String channel = access.checkClient(session, frame.requireText("channel"));
        service.query(session, channel, frame.requestId());
    }

    private void update(Session session, InboundFrame frame) {
        String channel = ChannelName.validate(frame.requireText("channel"));
        JsonNode state = state(frame, service.policy(channel));
        PresenceEntry.Status status = status(frame.payload().get("status"));
        if (state == null && status == null) {
            throw ProtocolException.badRequest("presence:update needs 'payload.state' and/or 'payload.status'");
        }
        service.update(session, channel, state, status);
    }

    private void heartbeat(Session session, InboundFrame frame) {
        service.heartbeat(session, ChannelName.validate(frame.requireText("channel")));
    }

    private void leave(Session session, InboundFrame frame) {
        service.leave(session, ChannelName.validate(frame.requireText("channel")));
    }

    private static JsonNode state(InboundFrame frame, PresenceConfig policy) {
        return validState(frame.payload().get("state"), policy);
    }

    /**
     * A client's presence state, checked the same way on every transport: absent or null → null; otherwise a
     * JSON object within the namespace's size limit.
     */
    public static JsonNode validState(JsonNode state, PresenceConfig policy) {
        if (state == null || state.isNull()) {
            return null;
        }
        if (!state.isObject()) {
            throw ProtocolException.badRequest("'payload.state' must be a JSON object");
        }
        int size = encodedSize(state);
        if (size > policy.maxStateBytes()) {
            throw new ProtocolException(ErrorCode.TOO_LARGE,
                    "presence state is " + size + " bytes; the limit is " + policy.maxStateBytes());
        }
        return state;
    }

    private static int encodedSize(JsonNode state) {
        try {
            return FrameCodec.JSON.writeValueAsBytes(state).length;
        } catch (JsonProcessingException e) {
            throw ProtocolException.badRequest("'payload.state' cannot be encoded");
        }
    }

    private static PresenceEntry.Status status(JsonNode status) {
        if (status == null || status.isNull()) {
            return null;
        }
        if (status.isTextual()) {
            for (PresenceEntry.Status s : PresenceEntry.Status.values()) {
                if (s.name().equals(status.textValue())) {
                    return s;
                }
            }
        }
        throw ProtocolException.badRequest("'payload.status' must be \"online\" or \"away\"");
    }
}
