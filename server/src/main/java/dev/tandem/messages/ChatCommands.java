package dev.tandem.messages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.auth.ChannelAccess;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.InboundFrame;
import dev.tandem.session.AsyncReplies;
import dev.tandem.session.CommandRouter;
import dev.tandem.session.Session;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * The chat commands of the native protocol: {@code message.send}, {@code message.edit} and
 * {@code message.delete}. Checks that the user may publish to the channel (the namespace's access rule, as
 * for {@code publish}), reads each frame's fields, hands them to {@link ChatMessages} (which validates and
 * stores), and answers with an {@code ack} after commit.
 */
public final class ChatCommands {
    private final ChatMessages messages;
    private final ChannelAccess access;

    public ChatCommands(ChatMessages messages, ChannelAccess access) {
        this.messages = messages;
        this.access = access;
    }

    public void registerOn(CommandRouter router) {
        router.register("message.send", this::send)
                .register("message.edit", this::edit)
                .register("message.delete", this::delete);
    }

    private void send(Session session, InboundFrame frame) {
        String channel = writableChannel(session, frame);
        reply(session, frame, channel, messages.send(session, channel, frame.requireText("clientMsgId"), content(frame)),
                sent -> FrameCodec.JSON.createObjectNode().put("id", sent.id()).put("seq", sent.seq())
                        .put("duplicate", sent.duplicate()));
    }

    private void edit(Session session, InboundFrame frame) {
        String channel = writableChannel(session, frame);
        reply(session, frame, channel, messages.edit(session, channel, messageId(frame), content(frame)),
                ChatCommands::seqOnly);
    }

    private void delete(Session session, InboundFrame frame) {
        String channel = writableChannel(session, frame);
        reply(session, frame, channel, messages.delete(session, channel, messageId(frame)), ChatCommands::seqOnly);
    }

    /** The frame's channel, once the session's user is known to be allowed to publish there. */
    private String writableChannel(Session session, InboundFrame frame) {
        String channel = frame.requireText("channel");
        access.check(session.identity(), channel, ChannelAccess.Action.PUBLISH);
        return channel;
    }

    private static ObjectNode seqOnly(long seq) {
        return FrameCodec.JSON.createObjectNode().put("seq", seq);
    }

    private static <T> void reply(Session session, InboundFrame frame, String channel, CompletableFuture<T> result,
                                  Function<T, ObjectNode> payload) {
        result.whenComplete((value, error) -> {
            if (error != null) {
                AsyncReplies.fail(session, frame.requestId(), error);
                return;
            }
            ObjectNode ack = FrameCodec.envelope("ack", frame.requestId(), channel);
            ack.set("payload", payload.apply(value));
            session.send(ack);
        });
    }

    /** {@code payload.content} when it is a string, else null (refused by {@link ChatMessages}). */
    private static String content(InboundFrame frame) {
        JsonNode content = frame.payload().get("content");
        return content != null && content.isTextual() ? content.textValue() : null;
    }

    /** {@code payload.id} when it is a string, else null (refused by {@link ChatMessages}). */
    private static String messageId(InboundFrame frame) {
        JsonNode id = frame.payload().get("id");
        return id != null && id.isTextual() ? id.textValue() : null;
    }
}
