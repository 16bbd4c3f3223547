package dev.tandem.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.tandem.auth.ChannelAccess;
import dev.tandem.auth.ChannelAccess.Action;
import dev.tandem.config.LimitsConfig;
import dev.tandem.hub.ChannelName;
import dev.tandem.hub.HistoryPage;
import dev.tandem.hub.HistoryQuery;
import dev.tandem.hub.Hub;
import dev.tandem.hub.Publication;
import dev.tandem.hub.Since;
import dev.tandem.limits.KeyedRateLimiter;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.InboundFrame;
import dev.tandem.protocol.ProtocolException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The pub/sub commands of the native protocol: {@code subscribe}, {@code unsubscribe}, {@code publish},
 * {@code history}, {@code ping}. Validates each frame, asks {@link ChannelAccess} whether the user may act on
 * the channel (a subscribe may carry a subscription {@code token}), applies the per-connection subscription
 * limit and the per-channel publish rate, and calls the hub.
 */
public final class ChannelCommands {
    private final Hub hub;
    private final LimitsConfig limits;
    private final List<BiConsumer<Session, String>> unsubscribeListeners = new CopyOnWriteArrayList<>();
    private final ChannelAccess access;
    private final KeyedRateLimiter publishRate;

    public ChannelCommands(Hub hub, LimitsConfig limits, ChannelAccess access) {
        this.hub = hub;
        this.limits = limits;
        this.access = access;
        this.publishRate = new KeyedRateLimiter(limits.channelPublishRate(), limits.channelPublishBurst());
    }

    /** Forgets the publish rate of channels that went quiet; run periodically. */
    public void sweep() {
        publishRate.sweep();
    }

    public void registerOn(CommandRouter router) {
        router.register("subscribe", this::subscribe)
                .register("unsubscribe", this::unsubscribe)
                .register("publish", this::publish)
                .register("history", this::history)
                .register("confirm", this::confirm)
                .register("ping", (session, frame) -> session.send(FrameCodec.envelope("pong", frame.requestId(), null)));
    }

    /** Runs {@code listener} after a client unsubscribes from a channel (e.g. presence leaves it). */
    public void onUnsubscribe(BiConsumer<Session, String> listener) {
        unsubscribeListeners.add(listener);
    }

    private void subscribe(Session session, InboundFrame frame) {
        String channel = ChannelName.validate(frame.requireText("channel"));
        Since since = since(frame.body().get("since"));
        access.check(session.identity(), channel, Action.SUBSCRIBE, optionalText(frame, "token"));
        if (session.subscriptions().contains(channel)) {
            throw ProtocolException.badRequest("already subscribed to " + channel);
        }
        if (session.subscriptions().size() >= limits.maxSubscriptionsPerConnection()) {
            throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED,
                    "at most " + limits.maxSubscriptionsPerConnection() + " subscriptions per connection");
        }
        hub.load().admitSubscription();
        session.subscriptions().add(channel);
        if (!hub.joinsAsync(channel)) {
            hub.subscribe(session, channel, since, frame.requestId());
            return;
        }
        hub.subscribeDurable(session, channel, since, frame.requestId(),
                        () -> session.closeReason() == null && session.subscriptions().contains(channel))
                .whenComplete((joined, error) -> {
                    if (error != null) {
                        session.subscriptions().remove(channel);
                        AsyncReplies.fail(session, frame.requestId(), error);
                    }
                });
    }

    private void unsubscribe(Session session, InboundFrame frame) {
        String channel = ChannelName.validate(frame.requireText("channel"));
        if (!session.subscriptions().remove(channel)) {
            throw ProtocolException.badRequest("not subscribed to " + channel);
        }
        hub.unsubscribe(session, channel);
        unsubscribeListeners.forEach(listener -> listener.accept(session, channel));
        session.send(FrameCodec.envelope("unsubscribed", frame.requestId(), channel));
    }

    private void publish(Session session, InboundFrame frame) {
        String channel = ChannelName.validate(frame.requireText("channel"));
        JsonNode payload = frame.body().get("payload");
        if (payload == null) {
            throw ProtocolException.badRequest("'payload' is required for publish");
        }
        access.check(session.identity(), channel, Action.PUBLISH);
        if (!publishRate.tryTake(channel)) {
            session.metrics().refused("channel_publish_rate");
            throw new ProtocolException(ErrorCode.RATE_LIMITED, "too many publications on " + channel + "; slow down");
        }
        hub.load().admitPublishes(1);
        long ttl = InboundFrame.optionalSeq(frame.body(), "ttl", 0);
        hub.publishAsync(channel, payload, session.userId(), ttl).whenComplete((seq, error) -> {
            if (error != null) {
                AsyncReplies.fail(session, frame.requestId(), error);
                return;
            }
            ObjectNode ack = FrameCodec.envelope("ack", frame.requestId(), channel);
            ack.putObject("payload").put("seq", seq);
            session.send(ack);
        });
    }

    /** {@code confirm {channel, seq}}: acknowledges every publication up to seq in an {@code ack: required} channel. */
    private void confirm(Session session, InboundFrame frame) {
        String channel = ChannelName.validate(frame.requireText("channel"));
        long seq = InboundFrame.optionalSeq(frame.body(), "seq", -1);
        if (seq < 0) {
            throw ProtocolException.badRequest("'seq' is required for confirm");
        }
        if (!session.subscriptions().contains(channel)) {
            throw ProtocolException.badRequest("not subscribed to " + channel);
        }
        hub.confirm(session, channel, seq);
    }

    private void history(Session session, InboundFrame frame) {
        String channel = ChannelName.validate(frame.requireText("channel"));
        access.check(session.identity(), channel, Action.HISTORY);
        JsonNode body = frame.body();
        HistoryQuery query = HistoryQuery.of(InboundFrame.optionalSeq(body, "after", -1),
                InboundFrame.optionalSeq(body, "before", -1),
                InboundFrame.optionalSeq(body, "limit", HistoryQuery.MAX_LIMIT));
        hub.historyAsync(channel, query).whenComplete((page, error) -> {
            if (error != null) {
                AsyncReplies.fail(session, frame.requestId(), error);
                return;
            }
            ObjectNode reply = FrameCodec.envelope("history", frame.requestId(), channel);
            writePage(reply.putObject("payload"), page);
            session.send(reply);
        });
    }

    /** Writes a page as {@code {publications, seq, epoch, more}}; shared with the HTTP API. */
    public static void writePage(ObjectNode target, HistoryPage page) {
        ArrayNode publications = target.putArray("publications");
        for (Publication p : page.publications()) {
            publications.addRawValue(new RawValue(new String(p.frame(), StandardCharsets.UTF_8)));
        }
        target.put("seq", page.seq()).put("epoch", page.epoch()).put("more", page.more());
    }

    private static String optionalText(InboundFrame frame, String field) {
        JsonNode node = frame.body().get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ProtocolException.badRequest("'" + field + "' must be a string");
        }
        return node.textValue();
    }

    private static Since since(JsonNode since) {
        if (since == null || since.isNull()) {
            return null;
        }
        if (!since.isObject()) {
            throw ProtocolException.badRequest("'since' must be an object {seq, epoch}");
        }
        JsonNode epoch = since.get("epoch");
        if (epoch == null || !epoch.isTextual()) {
            throw ProtocolException.badRequest("'since.epoch' is required and must be a string");
        }
        JsonNode seq = since.get("seq");
        if (seq == null || !seq.isIntegralNumber() || seq.asLong() < 0) {
            throw ProtocolException.badRequest("'since.seq' is required and must be a non-negative integer");
        }
        return new Since(seq.asLong(), epoch.textValue());
    }
}
