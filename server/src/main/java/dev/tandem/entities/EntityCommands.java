package dev.tandem.entities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.InboundFrame;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.AsyncReplies;
import dev.tandem.session.CommandRouter;
import dev.tandem.session.Session;
import java.util.concurrent.CompletableFuture;

/**
 * Live-record writes over the native protocol: {@code entity.create}, {@code entity.update},
 * {@code entity.patch} and {@code entity.delete}, arguments in {@code payload}. The reply is {@code result}
 * with the record as payload, or {@code error} (a {@code conflict} carries {@code details.current}), echoing
 * the {@code requestId}, so a client can apply its change optimistically and settle it on one connection.
 */
public final class EntityCommands {
    private final EntityService service;

    public EntityCommands(EntityService service) {
        this.service = service;
    }

    public void registerOn(CommandRouter router) {
        router.register("entity.create", this::create)
                .register("entity.update", this::update)
                .register("entity.patch", this::patch)
                .register("entity.delete", this::delete);
    }

    private void create(Session session, InboundFrame frame) {
        JsonNode p = payload(frame);
        reply(session, frame, service.create(text(p, "collection", true), text(p, "id", false), p.get("data"), actor(session)));
    }

    private void update(Session session, InboundFrame frame) {
        JsonNode p = payload(frame);
        reply(session, frame, service.update(text(p, "collection", true), text(p, "id", true), version(p, "version", true),
                p.get("data"), actor(session)));
    }

    private void patch(Session session, InboundFrame frame) {
        JsonNode p = payload(frame);
        reply(session, frame, service.patch(text(p, "collection", true), text(p, "id", true),
                version(p, "baseVersion", true), p.get("patch"), actor(session)));
    }

    private void delete(Session session, InboundFrame frame) {
        JsonNode p = payload(frame);
        reply(session, frame, service.delete(text(p, "collection", true), text(p, "id", true),
                version(p, "version", false), actor(session)));
    }

    private static void reply(Session session, InboundFrame frame, CompletableFuture<EntityRecord> write) {
        write.whenComplete((record, error) -> {
            if (error != null) {
                AsyncReplies.fail(session, frame.requestId(), error);
                return;
            }
            ObjectNode result = FrameCodec.envelope("result", frame.requestId(), null);
            result.set("payload", record.toJson());
            session.send(result);
        });
    }

    private static Actor actor(Session session) {
        return Actor.user(session.identity());
    }

    private static JsonNode payload(InboundFrame frame) {
        JsonNode payload = frame.payload();
        if (!payload.isObject()) {
            throw ProtocolException.badRequest("'payload' is required for " + frame.type() + " and must be an object");
        }
        return payload;
    }

    private static String text(JsonNode payload, String field, boolean required) {
        JsonNode node = payload.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw ProtocolException.badRequest("'payload." + field + "' is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw ProtocolException.badRequest("'payload." + field + "' must be a string");
        }
        return node.textValue();
    }

    /** A version field: a positive integer. */
    static Long version(JsonNode container, String field, boolean required) {
        JsonNode node = container.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw ProtocolException.badRequest("'" + field + "' is required and must be a positive integer");
            }
            return null;
        }
        if (!node.canConvertToExactIntegral() || !node.isNumber() || node.asLong() < 1) {
            throw ProtocolException.badRequest("'" + field + "' must be a positive integer");
        }
        return node.asLong();
    }
}
