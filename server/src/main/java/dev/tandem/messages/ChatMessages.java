package dev.tandem.messages;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.config.ChatConfig;
import dev.tandem.hub.ChannelName;
import dev.tandem.hub.Hub;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.Session;
import dev.tandem.store.Append;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;

/**
 * Chat messages, whatever wire the command came on (native {@code message.*} commands, STOMP {@code /app/chat.*}):
 * send (idempotent per channel by the client's message id), edit (author only) and delete (author or
 * moderator). Each becomes one durable event with its own seq ({@code message.new}, {@code message.edit},
 * {@code message.delete}); the returned future completes after the store commit, and the permission check and
 * the change to the original message happen in that same transaction. Arguments are validated here, so every
 * transport refuses the same input with the same {@link ProtocolException}, thrown before anything is stored.
 */
public final class ChatMessages {
    static final int MAX_CLIENT_MSG_ID = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Hub hub;
    private final ChatConfig config;
    private final ChatPermissions permissions;
    private final Clock clock;

    public ChatMessages(Hub hub, ChatConfig config, ChatPermissions permissions, Clock clock) {
        this.hub = hub;
        this.config = config;
        this.permissions = permissions;
        this.clock = clock;
    }

    /**
     * A committed send: the message id, the seq of its {@code message.new} event, and whether an earlier send
     * with the same client message id had already stored it (then id and seq are the earlier ones).
     */
    public record Sent(String id, long seq, boolean duplicate) {
    }

    /** Stores a new message by the session's user; a retry with the same {@code clientMsgId} stores nothing new. */
    public CompletableFuture<Sent> send(Session session, String channel, String clientMsgId, String content) {
        chatChannel(channel, "message.send");
        if (clientMsgId == null || clientMsgId.isEmpty() || clientMsgId.length() > MAX_CLIENT_MSG_ID) {
            throw ProtocolException.badRequest("'clientMsgId' must be 1 to " + MAX_CLIENT_MSG_ID + " characters");
        }
        checkContent(content);
        String id = "m_" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
        long now = clock.millis();
        String author = permissions.authorId(session);
        ObjectNode payload = FrameCodec.JSON.createObjectNode().put("id", id).put("userId", author)
                .put("content", content).put("clientMsgId", clientMsgId).put("createdAt", now);
        Append append = new Append(channel, "message.new", id, payload.toString(), author, clientMsgId, now, null);
        return hub.append(append).thenApply(appended ->
                new Sent(appended.event().messageId(), appended.event().seq(), appended.duplicate()));
    }

    /** Replaces the content of the session user's own message; completes with the seq of the edit event. */
    public CompletableFuture<Long> edit(Session session, String channel, String messageId, String content) {
        chatChannel(channel, "message.edit");
        checkMessageId(messageId);
        checkContent(content);
        long now = clock.millis();
        ObjectNode payload = FrameCodec.JSON.createObjectNode().put("id", messageId).put("content", content)
                .put("editedAt", now);
        Append append = new Append(channel, "message.edit", messageId, payload.toString(), permissions.authorId(session),
                null, now, new Append.Mutation(Append.Mutation.Kind.EDIT, content, false));
        return hub.append(append).thenApply(appended -> appended.event().seq());
    }

    /** Deletes a message of the session's user (any message for a moderator); completes with the event's seq. */
    public CompletableFuture<Long> delete(Session session, String channel, String messageId) {
        chatChannel(channel, "message.delete");
        checkMessageId(messageId);
        long now = clock.millis();
        ObjectNode payload = FrameCodec.JSON.createObjectNode().put("id", messageId).put("deletedAt", now);
        Append append = new Append(channel, "message.delete", messageId, payload.toString(), permissions.authorId(session),
                null, now, new Append.Mutation(Append.Mutation.Kind.DELETE, null, permissions.mayModerate(session, channel)));
        return hub.append(append).thenApply(appended -> appended.event().seq());
    }

    private void chatChannel(String channel, String what) {
        ChannelName.validate(channel);
        if (!hub.isDurable(channel)) {
            throw ProtocolException.badRequest(what + " needs a channel with durable history, such as chat:*");
        }
        if (!hub.policy(channel).clientPublish()) {
            throw new ProtocolException(ErrorCode.FORBIDDEN, "clients may not write to " + channel);
        }
    }

    private void checkContent(String content) {
        if (content == null) {
            throw ProtocolException.badRequest("'payload.content' is required and must be a string");
        }
        if (content.getBytes(StandardCharsets.UTF_8).length > config.maxContentBytes()) {
            throw new ProtocolException(ErrorCode.TOO_LARGE,
                    "'payload.content' is larger than " + config.maxContentBytes() + " bytes");
        }
    }

    private static void checkMessageId(String messageId) {
        if (messageId == null || messageId.isEmpty()) {
            throw ProtocolException.badRequest("'payload.id' is required and must be a message id");
        }
    }
}
