package dev.tandem.transport.stomp;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.auth.ChannelAccess;
import dev.tandem.config.LimitsConfig;
import dev.tandem.hub.Delivery;
import dev.tandem.hub.Hub;
import dev.tandem.hub.Since;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.Session;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * What a connected STOMP client can do, on top of its {@link Session}: {@code SEND} (a publish, or an
 * {@code /app/…} handler, both run by {@link StompApplication}), {@code SUBSCRIBE}/{@code UNSUBSCRIBE} by id
 * (a topic subscription also puts its channel in the session's channel set, as presence expects),
 * {@code ACK}/{@code NACK},
 * transactions ({@code BEGIN} buffers {@code SEND}, {@code ACK} and {@code NACK} until {@code COMMIT} runs them
 * in order, or {@code ABORT} drops them) and {@code DISCONNECT}. Every frame carrying {@code receipt} is
 * answered with {@code RECEIPT} once it has taken effect. A mistake throws {@link ProtocolException}; the
 * handler turns it into {@code ERROR} and a close. Event loop only.
 */
final class StompConnection {
    static final int MAX_TRANSACTIONS = 16;
    static final int MAX_TRANSACTION_FRAMES = 1000;

    /** Where a handler's reply goes when the {@code SEND} names no {@code reply-to}. */
    static final String DEFAULT_REPLY_TO = "/user/queue/reply";

    private final Session session;
    private final Hub hub;
    private final LimitsConfig limits;
    private final StompQueueGroup.Registry queues;
    private final ChannelAccess access;
    private final StompApplication app;
    private final BiConsumer<Throwable, String> failed;
    private final Map<String, StompSubscription> subscriptions = new LinkedHashMap<>();
    private final Map<String, List<StompFrame>> transactions = new HashMap<>();

    /** {@code failed} answers an asynchronous failure (with the failing frame's receipt id, or null) by ERROR and a close. */
    StompConnection(Session session, Hub hub, LimitsConfig limits, StompQueueGroup.Registry queues, ChannelAccess access,
                    StompApplication app, BiConsumer<Throwable, String> failed) {
        this.session = session;
        this.hub = hub;
        this.limits = limits;
        this.queues = queues;
        this.access = access;
        this.app = app;
        this.failed = failed;
    }

    void handle(StompFrame frame) {
        switch (frame.command()) {
            case "SEND" -> send(frame);
            case "SUBSCRIBE" -> subscribe(frame);
            case "UNSUBSCRIBE" -> receipt(frame, unsubscribe(frame));
            case "ACK" -> receipt(frame, inTransactionOr(frame, f -> settle(f, true)));
            case "NACK" -> receipt(frame, inTransactionOr(frame, f -> settle(f, false)));
            case "BEGIN" -> receipt(frame, begin(frame));
            case "COMMIT" -> receipt(frame, commit(frame));
            case "ABORT" -> receipt(frame, abort(frame));
            case "DISCONNECT" -> disconnect(frame);
            case "CONNECT", "STOMP" -> throw ProtocolException.badRequest("already connected");
            default -> throw ProtocolException.badRequest("unknown command " + StompHeaders.printable(frame.command()));
        }
    }

    /**
     * SEND outside a transaction runs now ({@link StompApplication}: a publish, or an {@code /app/…} handler). Its
     * reply {@code MESSAGE}, if any, then its {@code RECEIPT} follow the effect, which for a durable channel means
     * after the store commit; a failure is an {@code ERROR} and a close (nothing is acknowledged unstored).
     */
    private void send(StompFrame frame) {
        if (frame.header("transaction") != null) {
            receipt(frame, inTransactionOr(frame, f -> Map.of()));
            return;
        }
        // Back on the connection's loop: the reply looks up this connection's subscriptions.
        app.send(session, frame).whenCompleteAsync((reply, error) -> {
            if (error != null) {
                failed.accept(error, frame.header("receipt"));
                return;
            }
            if (reply.message() != null) {
                replyTo(frame, reply.message());
            }
            receipt(frame, reply.receipt());
        }, session.transport().eventLoop());
    }

    /**
     * Delivers a handler's reply as a {@code MESSAGE} on the {@code SEND}'s {@code reply-to} destination (default
     * {@code /user/queue/reply}), to this connection only, under its subscription to that destination; without
     * such a subscription there is no one to address it to, and the {@code RECEIPT} headers are the answer.
     */
    private void replyTo(StompFrame frame, ObjectNode message) {
        String destination = frame.header("reply-to") != null ? frame.header("reply-to") : DEFAULT_REPLY_TO;
        for (StompSubscription subscription : subscriptions.values()) {
            if (subscription.destination().equals(destination)) {
                subscription.reply(StompMessages.convert(message));
                return;
            }
        }
    }

    private void subscribe(StompFrame frame) {
        String id = required(frame, "id");
        StompDestination destination = StompDestination.forSubscribe(frame.header("destination"), session.userId());
        access.check(session.identity(), destination.channel(), ChannelAccess.Action.SUBSCRIBE, frame.header("tandem-token"));
        AckMode ackMode = AckMode.parse(frame.header("ack"));
        Since since = since(frame);
        if (subscriptions.containsKey(id)) {
            throw ProtocolException.badRequest("subscription id '" + StompHeaders.printable(id) + "' is already in use");
        }
        if (subscriptions.size() >= limits.maxSubscriptionsPerConnection()) {
            throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED,
                    "at most " + limits.maxSubscriptionsPerConnection() + " subscriptions per connection");
        }
        if (destination.isQueue()) {
            if (since != null) {
                throw ProtocolException.badRequest("tandem-since applies to /topic/… subscriptions, not to queues");
            }
            StompSubscription member = new StompSubscription(id, destination, ackMode, session,
                    limits.outboundQueueFrames(), null, queues);
            subscriptions.put(id, member);
            queues.join(member);
            receipt(frame, Map.of());
            return;
        }
        StompSubscription subscription = new StompSubscription(id, destination, ackMode, session,
                limits.outboundQueueFrames(), frame.header("receipt"), null);
        subscriptions.put(id, subscription);
        // The session's channel set is what presence checks ("subscribe before joining"), as for native sessions.
        session.subscriptions().add(destination.channel());
        hub.subscribe(subscription, destination.channel(), since, null);
    }

    /** The recovery extension: {@code tandem-since-seq} and {@code tandem-since-epoch} together. */
    private static Since since(StompFrame frame) {
        String seq = frame.header("tandem-since-seq");
        String epoch = frame.header("tandem-since-epoch");
        if (seq == null && epoch == null) {
            return null;
        }
        if (seq == null || epoch == null) {
            throw ProtocolException.badRequest("give tandem-since-seq and tandem-since-epoch together");
        }
        try {
            long value = Long.parseLong(seq);
            if (value >= 0) {
                return new Since(value, epoch);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ProtocolException.badRequest("tandem-since-seq must be a non-negative integer");
    }

    private Map<String, String> unsubscribe(StompFrame frame) {
        String id = required(frame, "id");
        StompSubscription subscription = subscriptions.remove(id);
        if (subscription == null) {
            throw ProtocolException.badRequest("no subscription with id '" + StompHeaders.printable(id) + "'");
        }
        leave(subscription);
        return Map.of();
    }

    /**
     * ACK or NACK of a message id (the {@code ack} header of a {@code MESSAGE}, which is also its
     * {@code message-id}). An id no subscription holds any more (already acknowledged, or from an
     * {@code auto} subscription) is ignored, as acknowledging twice is harmless.
     */
    private Map<String, String> settle(StompFrame frame, boolean positive) {
        String id = frame.header("id") != null ? frame.header("id") : required(frame, "message-id");
        for (StompSubscription subscription : subscriptions.values()) {
            if (positive ? subscription.ack(id) : subscription.nack(id)) {
                break;
            }
        }
        return Map.of();
    }

    private Map<String, String> begin(StompFrame frame) {
        String tx = required(frame, "transaction");
        if (transactions.containsKey(tx)) {
            throw ProtocolException.badRequest("transaction '" + StompHeaders.printable(tx) + "' is already open");
        }
        if (transactions.size() >= MAX_TRANSACTIONS) {
            throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "at most " + MAX_TRANSACTIONS + " open transactions");
        }
        transactions.put(tx, new ArrayList<>());
        return Map.of();
    }

    private Map<String, String> commit(StompFrame frame) {
        for (StompFrame buffered : openTransaction(frame, true)) {
            switch (buffered.command()) {
                case "SEND" -> app.send(session, buffered).whenComplete((reply, error) -> {
                    if (error != null) {
                        failed.accept(error, frame.header("receipt"));
                    }
                });
                case "ACK" -> settle(buffered, true);
                default -> settle(buffered, false);
            }
        }
        return Map.of();
    }

    private Map<String, String> abort(StompFrame frame) {
        openTransaction(frame, true);
        return Map.of();
    }

    private List<StompFrame> openTransaction(StompFrame frame, boolean remove) {
        String tx = required(frame, "transaction");
        List<StompFrame> frames = remove ? transactions.remove(tx) : transactions.get(tx);
        if (frames == null) {
            throw ProtocolException.badRequest("no open transaction '" + StompHeaders.printable(tx) + "'");
        }
        return frames;
    }

    private Map<String, String> inTransactionOr(StompFrame frame, Function<StompFrame, Map<String, String>> now) {
        if (frame.header("transaction") == null) {
            return now.apply(frame);
        }
        List<StompFrame> frames = openTransaction(frame, false);
        if (frames.size() >= MAX_TRANSACTION_FRAMES) {
            throw new ProtocolException(ErrorCode.LIMIT_EXCEEDED, "at most " + MAX_TRANSACTION_FRAMES + " frames per transaction");
        }
        if (frame.command().equals("SEND")) {
            StompDestination.forSend(frame.header("destination"), session.userId());
        }
        frames.add(frame);
        return Map.of();
    }

    /** Answers the receipt, then closes once the loop has written it. */
    private void disconnect(StompFrame frame) {
        receipt(frame, Map.of());
        session.transport().eventLoop().execute(() -> session.disconnect(CloseCode.NORMAL, "client sent DISCONNECT"));
    }

    private void receipt(StompFrame frame, Map<String, String> extra) {
        String receipt = frame.header("receipt");
        if (receipt != null) {
            // A control frame, like a native ack: it overtakes a backlog of publications.
            session.send(Unpooled.wrappedBuffer(StompEncoder.receipt(receipt, extra)), Delivery.CONTROL);
        }
    }

    /** Leaves every channel; the connection is gone. */
    void close() {
        List<StompSubscription> all = new ArrayList<>(subscriptions.values());
        subscriptions.clear();
        all.forEach(this::leave);
        transactions.clear();
    }

    /** A queue member hands its unacknowledged messages to the rest of its group. */
    private void leave(StompSubscription subscription) {
        if (subscription.isQueue()) {
            queues.leave(subscription);
            return;
        }
        hub.unsubscribe(subscription, subscription.channel());
        boolean stillSubscribed = subscriptions.values().stream()
                .anyMatch(other -> !other.isQueue() && other.channel().equals(subscription.channel()));
        if (!stillSubscribed && session.subscriptions().remove(subscription.channel())) {
            app.unsubscribed(session, subscription.channel());
        }
    }

    private static String required(StompFrame frame, String header) {
        String value = frame.header(header);
        if (value == null || value.isEmpty()) {
            throw ProtocolException.badRequest(frame.command() + " requires a '" + header + "' header");
        }
        return value;
    }
}
