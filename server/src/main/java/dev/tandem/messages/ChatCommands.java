package dev.tandem.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.config.ChatConfig;
import dev.tandem.hub.ChannelName;
import dev.tandem.hub.Hub;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.InboundFrame;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.AsyncReplies;
import dev.tandem.session.CommandRouter;
import dev.tandem.session.Session;
import dev.tandem.store.Append;
import dev.tandem.store.Appended;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The chat commands: {@code message.send} (idempotent per channel by {@code clientMsgId}), {@code message.edit}
 * (author only) and {@code message.delete} (author or moderator). Each becomes one durable event with its
 * own seq ({@code message.new}, {@code message.edit}, {@code message.delete}); the ack is sent after commit,
 * and the permission check and the change to the original message happen in the same transaction.
 */
public final class ChatCommands {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int MAX_CLIENT_MSG_ID = 128;

    private final Hub hub;
    private final ChatConfig config;
    private final ChatPermissions permissions;
    private final Clock clock;

    public ChatCommands(Hub hub, ChatConfig config, ChatPermissions permissions, Clock clock) {
        this.hub = hub;
        this.config = config;
        this.permissions = permissions;
        this.clock = clock;
    }

    public void registerOn(CommandRouter router) {
        router.register("message.send", this::send)
                .register("message.edit", this::edit)
                .register("message.delete", this::delete);
    }

    private void send(Session session, InboundFrame frame) {
        String channel = chatChannel(frame);
        String clientMsgId = frame.requireText("clientMsgId");
        if (clientMsgId.isEmpty() || clientMsgId.length() > MAX_CLIENT_MSG_ID) {
            throw ProtocolException.badRequest("'clientMsgId' must be 1 to " + MAX_CLIENT_MSG_ID + " characters");
        }
        String content = content(frame);
        String id = "m_" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
        long now = clock.millis();
        String author = permissions.authorId(session);
        ObjectNode payload = FrameCodec.JSON.createObjectNode().put("id", id).put("userId", author)
                .put("content", content).put("clientMsgId", clientMsgId).put("createdAt", now);
        Append append = new Append(channel, "message.new", id, payload.toString(), author, clientMsgId, now, null);
        reply(session, frame, channel, hub.append(append), appended -> {
            ObjectNode ack = FrameCodec.JSON.createObjectNode();
            return ack.put("id", appended.event().messageId()).put("seq", appended.event().seq())
                    .put("duplicate", appended.duplicate());
        });
    }

    private void edit(Session session, InboundFrame frame) {
        String channel = chatChannel(frame);
        String id = messageId(frame);
        String content = content(frame);
        long now = clock.millis();
        ObjectNode payload = FrameCodec.JSON.createObjectNode().put("id", id).put("content", content).put("editedAt", now);
        Append append = new Append(channel, "message.edit", id, payload.toString(), permissions.authorId(session), null,
                now, new Append.Mutation(Append.Mutation.Kind.EDIT, content, false));
        reply(session, frame, channel, hub.append(append), ChatCommands::seqOnly);
    }

    private void delete(Session session, InboundFrame frame) {
        String channel = chatChannel(frame);
        String id = messageId(frame);
        long now = clock.millis();
        ObjectNode payload = FrameCodec.JSON.createObjectNode().put("id", id).put("deletedAt", now);
        Append append = new Append(channel, "message.delete", id, payload.toString(), permissions.authorId(session),
                null, now, new Append.Mutation(Append.Mutation.Kind.DELETE, null, permissions.mayModerate(session, channel)));
        reply(session, frame, channel, hub.append(append), ChatCommands::seqOnly);
    }

    private static ObjectNode seqOnly(Appended appended) {
        return FrameCodec.JSON.createObjectNode().put("seq", appended.event().seq());
    }

    private static void reply(Session session, InboundFrame frame, String channel, CompletableFuture<Appended> result,
                              Function<Appended, ObjectNode> payload) {
        result.whenComplete((appended, error) -> {
            if (error != null) {
                AsyncReplies.fail(session, frame.requestId(), error);
                return;
            }
            ObjectNode ack = FrameCodec.envelope("ack", frame.requestId(), channel);
            ack.set("payload", payload.apply(appended));
            session.send(ack);
        });
    }

    private String chatChannel(InboundFrame frame) {
        String channel = ChannelName.validate(frame.requireText("channel"));
        if (!hub.isDurable(channel)) {
            throw ProtocolException.badRequest(frame.type() + " needs a channel with durable history, such as chat:*");
        }
        if (!hub.policy(channel).clientPublish()) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "clients may not write to " + channel);
        }
        return channel;
    }

    private String content(InboundFrame frame) {
        JsonNode content = frame.payload().get("content");
        if (content == null || !content.isTextual()) {
            throw ProtocolException.badRequest("'payload.content' is required and must be a string");
        }
        if (content.textValue().getBytes(StandardCharsets.UTF_8).length > config.maxContentBytes()) {
            throw new ProtocolException(ErrorCode.TOO_LARGE,
                    "'payload.content' is larger than " + config.maxContentBytes() + " bytes");
        }
        return content.textValue();
    }

    private static String messageId(InboundFrame frame) {
        JsonNode id = frame.payload().get("id");
        if (id == null || !id.isTextual() || id.textValue().isEmpty()) {
            throw ProtocolException.badRequest("'payload.id' is required and must be a message id");
        }
        return id.textValue();
    }
}
