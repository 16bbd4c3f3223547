package dev.tandem.transport.stomp;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.tandem.auth.ChannelAccess;
import dev.tandem.hub.ChannelName;
import dev.tandem.hub.Hub;
import dev.tandem.messages.ChatMessages;
import dev.tandem.presence.PresenceAccess;
import dev.tandem.presence.PresenceCommands;
import dev.tandem.presence.PresenceService;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.Session;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What a STOMP {@code SEND} does once its destination is known: publish to a channel ({@code /topic/…},
 * {@code /queue/…}, {@code /user/…} and {@code /app/NAME}), or run one of the server-side handlers behind
 * {@code /app/ACTION/DESTINATION} (Spring's {@code @MessageMapping} prefix), each the same service call as the
 * native command of that name:
 * <ul>
 *   <li>{@code chat.send}, {@code chat.edit}, {@code chat.delete} → {@link ChatMessages} (send is idempotent by
 *       {@code clientMsgId}; the reply follows the store commit);</li>
 *   <li>{@code presence.join}, {@code presence.heartbeat}, {@code presence.leave} → {@link PresenceService}.</li>
 * </ul>
 * Checks are the native ones ({@link ChannelAccess}, {@link PresenceAccess}, the services' own validation); a
 * refusal is a {@link ProtocolException}, which the connection turns into {@code ERROR}. A handler completes
 * with a {@link Reply}: headers for the {@code RECEIPT}, and optionally a native frame the connection delivers
 * as a {@code MESSAGE} on the client's reply destination. docs/stomp.md is the reference for bodies and replies.
 */
public final class StompApplication {
    private final Hub hub;
    private final ChannelAccess access;
    private final ChatMessages chat;
    private final PresenceService presence;
    private final PresenceAccess presenceAccess;

    public StompApplication(Hub hub, ChannelAccess access, ChatMessages chat, PresenceService presence,
                            PresenceAccess presenceAccess) {
        this.hub = hub;
        this.access = access;
        this.chat = chat;
        this.presence = presence;
        this.presenceAccess = presenceAccess;
    }

    /**
     * What a handler answers: {@code RECEIPT} headers, and a native frame for the reply destination (or null).
     *
     * @param receipt headers added to the {@code RECEIPT} (when the {@code SEND} asked for one)
     * @param message a native JSON frame delivered as {@code MESSAGE} to the reply destination, or null
     */
    record Reply(Map<String, String> receipt, ObjectNode message) {
        static Reply of(Map<String, String> receipt) {
            return new Reply(receipt, null);
        }
    }

    /** Runs {@code frame}, a {@code SEND} outside a transaction; throws for input refused before any effect. */
    CompletableFuture<Reply> send(Session session, StompFrame frame) {
        String destination = frame.header("destination");
        if (destination != null && destination.startsWith(StompDestination.APP)) {
            String route = destination.substring(StompDestination.APP.length());
            int slash = route.indexOf('/');
            if (slash > 0) {
                String action = route.substring(0, slash);
                String target = route.substring(slash + 1);
                switch (action) {
                    case "chat.send" -> {
                        return chatSend(session, frame, channel(target, destination));
                    }
                    case "chat.edit" -> {
                        return chatEdit(session, frame, channel(target, destination));
                    }
                    case "chat.delete" -> {
                        return chatDelete(session, frame, channel(target, destination));
                    }
                    case "presence.join" -> {
                        return presenceJoin(session, frame, channel(target, destination));
                    }
                    case "presence.heartbeat" -> {
                        presence.heartbeat(session, channel(target, destination));
                        return CompletableFuture.completedFuture(Reply.of(Map.of()));
                    }
                    case "presence.leave" -> {
                        presence.leave(session, channel(target, destination));
                        return CompletableFuture.completedFuture(Reply.of(Map.of()));
                    }
                    default -> {
                        // not a handler: /app/NAME publishes to NAME's channel, below
                    }
                }
            }
        }
        return publish(session, frame);
    }

    /** The connection has no subscription left on {@code channel}: like a native unsubscribe, it leaves its presence. */
    void unsubscribed(Session session, String channel) {
        presence.leaveIfJoined(session, channel);
    }

    private CompletableFuture<Reply> publish(Session session, StompFrame frame) {
        StompDestination destination = StompDestination.forSend(frame.header("destination"), session.userId());
        access.check(session.identity(), destination.channel(), ChannelAccess.Action.PUBLISH);
        return hub.publishAsync(destination.channel(), payload(frame), session.userId(), 0)
                .thenApply(seq -> Reply.of(Map.of("tandem-seq", Long.toString(seq))));
    }

    /**
     * Body: JSON {@code {"content": …, "clientMsgId": …}}, or any other content type whose text is the content;
     * a {@code client-msg-id} header gives (or overrides) the client message id.
     */
    private CompletableFuture<Reply> chatSend(Session session, StompFrame frame, String channel) {
        access.check(session.identity(), channel, ChannelAccess.Action.PUBLISH);
        JsonNode body = payload(frame);
        String content = body.isTextual() ? body.textValue() : text(body, "content");
        String clientMsgId = frame.header("client-msg-id") != null ? frame.header("client-msg-id") : text(body, "clientMsgId");
        return chat.send(session, channel, clientMsgId, content).thenApply(sent -> {
            ObjectNode ack = FrameCodec.envelope("ack", null, channel);
            ack.putObject("payload").put("id", sent.id()).put("seq", sent.seq()).put("duplicate", sent.duplicate());
            return new Reply(Map.of("tandem-message-id", sent.id(), "tandem-seq", Long.toString(sent.seq()),
                    "tandem-duplicate", Boolean.toString(sent.duplicate())), ack);
        });
    }

    /** Body: JSON {@code {"id": …, "content": …}}. */
    private CompletableFuture<Reply> chatEdit(Session session, StompFrame frame, String channel) {
        access.check(session.identity(), channel, ChannelAccess.Action.PUBLISH);
        JsonNode body = payload(frame);
        return chat.edit(session, channel, text(body, "id"), text(body, "content")).thenApply(StompApplication::seqOnly);
    }

    /** Body: JSON {@code {"id": …}}. */
    private CompletableFuture<Reply> chatDelete(Session session, StompFrame frame, String channel) {
        access.check(session.identity(), channel, ChannelAccess.Action.PUBLISH);
        return chat.delete(session, channel, text(payload(frame), "id")).thenApply(StompApplication::seqOnly);
    }

    private static Reply seqOnly(long seq) {
        return Reply.of(Map.of("tandem-seq", Long.toString(seq)));
    }

    /**
     * Body: empty, or JSON {@code {"state": {…}}}. Like the native join it needs a subscription to the channel
     * ({@code /topic/…}) first; the member list comes back as a {@code presence:sync} (or {@code presence:stats})
     * reply.
     */
    private CompletableFuture<Reply> presenceJoin(Session session, StompFrame frame, String channel) {
        presenceAccess.checkClient(session, channel);
        JsonNode body = frame.body().length == 0 ? MissingNode.getInstance() : payload(frame);
        JsonNode state = PresenceCommands.validState(body.get("state"), presence.policy(channel));
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        presence.join(session, channel, state, null, sync -> reply.complete(new Reply(Map.of(), sync)),
                reply::completeExceptionally);
        return reply;
    }

    private static String channel(String target, String destination) {
        try {
            return ChannelName.validate(StompDestination.namespaced(target));
        } catch (ProtocolException e) {
            throw ProtocolException.badRequest("destination '" + StompHeaders.printable(destination)
                    + "' does not name a valid channel after the handler: " + e.getMessage());
        }
    }

    /** A string field of a JSON object body, or null when absent or not a string (the service refuses it). */
    private static String text(JsonNode body, String field) {
        JsonNode value = body.get(field);
        return value != null && value.isTextual() ? value.textValue() : null;
    }

    /** JSON when the content type says so, otherwise the body as a string. */
    static JsonNode payload(StompFrame frame) {
        String contentType = frame.header("content-type");
        if (contentType == null || !contentType.toLowerCase().startsWith("application/json")) {
            return TextNode.valueOf(frame.bodyText());
        }
        try {
            JsonNode json = FrameCodec.JSON.readTree(frame.body());
            if (json == null || json.isMissingNode()) {
                throw ProtocolException.badRequest("content-type is application/json but the body is empty");
            }
            return json;
        } catch (JsonProcessingException e) {
            throw ProtocolException.badRequest("content-type is application/json but the body is not: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ProtocolException.badRequest("unreadable body");
        }
    }
}
