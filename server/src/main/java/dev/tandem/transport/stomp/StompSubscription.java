package dev.tandem.transport.stomp;

import dev.tandem.hub.Delivery;
import dev.tandem.hub.Subscriber;
import dev.tandem.protocol.CloseCode;
import dev.tandem.session.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One STOMP {@code SUBSCRIBE}: turns a channel's frames into {@code MESSAGE} frames on its session. A topic
 * subscription is itself the hub subscriber; a queue subscription is a member of its channel's
 * {@link StompQueueGroup}, which picks one member per message. Its head ({@code MESSAGE}, {@code subscription},
 * {@code destination}) is encoded once when the subscription starts and each delivery pairs it with the
 * publication's shared part ({@link StompMessages}), so a subscriber costs one composite buffer per message and
 * no copy.
 *
 * <p>In {@code client} and {@code client-individual} modes it remembers the messages sent and not yet
 * acknowledged (at most {@code maxPending}; a client that lets more pile up is disconnected like a slow
 * consumer), so a {@code NACK} can redeliver them: to this subscription for a topic, to the group's next member
 * for a queue. Deliveries run on the publisher's thread under the channel lock and acknowledgements on the
 * connection's loop, hence the lock on {@code pending}.
 */
final class StompSubscription implements Subscriber {
    private final String id;
    private final StompDestination destination;
    private final AckMode ackMode;
    private final Session session;
    private final int maxPending;
    private final StompQueueGroup.Registry queues;
    private final byte[] head;
    private final LinkedHashMap<String, StompMessages.Converted> pending = new LinkedHashMap<>();
    private volatile String receiptId;

    StompSubscription(String id, StompDestination destination, AckMode ackMode, Session session, int maxPending,
                      String receiptId, StompQueueGroup.Registry queues) {
        this.id = id;
        this.destination = destination;
        this.ackMode = ackMode;
        this.session = session;
        this.maxPending = maxPending;
        this.receiptId = receiptId;
        this.queues = queues;
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        StompEncoder.writeHead(out, "MESSAGE", Map.of(), true);
        StompEncoder.writeHeader(out, "subscription", id, true);
        StompEncoder.writeHeader(out, "destination", destination.destination(), true);
        this.head = out.toByteArray();
    }

    String id() {
        return id;
    }

    String channel() {
        return destination.channel();
    }

    /** The destination as the client spelled it in its {@code SUBSCRIBE}. */
    String destination() {
        return destination.destination();
    }

    /** A reply to this connection's own {@code SEND} to {@code /app/…}: a {@code MESSAGE} that overtakes publications. */
    void reply(StompMessages.Converted message) {
        deliver(message, Delivery.CONTROL);
    }

    /** Whether this is a {@code /queue/} subscription (a member of its channel's queue group). */
    boolean isQueue() {
        return queues != null;
    }

    /** From the hub, for a topic subscription, without a delivery class: the normal lane. */
    @Override
    public void send(ByteBuf frame) {
        send(frame, Delivery.NORMAL);
    }

    /** From the hub, for a topic subscription: the publication travels in its lane, conflated and expiring like a native one. */
    @Override
    public void send(ByteBuf frame, Delivery delivery) {
        try {
            StompMessages.Converted message = StompMessages.convert(frame);
            if (message.subscribed() != null) {
                confirm(message.subscribed());
            } else {
                deliver(message, delivery);
            }
        } finally {
            frame.release();
        }
    }

    /**
     * Sends one message to this subscription's client through the session's outbound lanes, tracking it in the
     * client ack modes. A conflation key is scoped to this subscription, since one session may hold several
     * subscriptions to a channel and each must keep its own latest message. In the client ack modes a message
     * is pending until acknowledged, so it keeps its lane but is never conflated or expired away unseen.
     */
    void deliver(StompMessages.Converted message, Delivery delivery) {
        if (ackMode == AckMode.AUTO) {
            session.send(Unpooled.wrappedBuffer(head, message.plain()), scoped(delivery));
            return;
        }
        delivery = Delivery.of(delivery.lane(), null, 0);
        boolean overflow;
        synchronized (pending) {
            overflow = pending.size() >= maxPending;
            if (!overflow) {
                pending.put(message.messageId(), message);
            }
        }
        if (overflow) {
            session.disconnect(CloseCode.POLICY, "more than " + maxPending + " unacknowledged messages on subscription " + id);
            return;
        }
        session.send(Unpooled.wrappedBuffer(head, message.withAck()), delivery);
    }

    private Delivery scoped(Delivery delivery) {
        if (delivery.conflationKey() == null) {
            return delivery;
        }
        return new Delivery(delivery.lane(), delivery.conflationKey() + '\u0000' + id, delivery.expiresAtMillis());
    }

    /** The hub's {@code subscribed} reply: answers the {@code SUBSCRIBE}'s receipt, with the channel position. */
    private void confirm(StompMessages.Subscribed subscribed) {
        String receipt = receiptId;
        receiptId = null;
        if (receipt != null) {
            session.send(Unpooled.wrappedBuffer(StompEncoder.receipt(receipt, Map.of(
                    "tandem-seq", Long.toString(subscribed.seq()),
                    "tandem-epoch", subscribed.epoch(),
                    "tandem-recovered", Boolean.toString(subscribed.recovered())))), Delivery.CONTROL);
        }
    }

    /** Forgets {@code ackId} (and in {@code client} mode every earlier message); false if it is not pending. */
    boolean ack(String ackId) {
        return !settle(ackId).isEmpty();
    }

    /**
     * Delivers {@code ackId} (and in {@code client} mode every earlier pending message) again: to this client for a
     * topic, still pending; to the group's next member for a queue. False if it is not pending.
     */
    boolean nack(String ackId) {
        if (queues != null) {
            List<StompMessages.Converted> released = settle(ackId);
            released.forEach(message -> queues.redeliver(channel(), message));
            return !released.isEmpty();
        }
        List<StompMessages.Converted> again;
        synchronized (pending) {
            if (!pending.containsKey(ackId)) {
                return false;
            }
            again = new ArrayList<>();
            for (Map.Entry<String, StompMessages.Converted> entry : pending.entrySet()) {
                if (ackMode == AckMode.CLIENT || entry.getKey().equals(ackId)) {
                    again.add(entry.getValue());
                }
                if (entry.getKey().equals(ackId)) {
                    break;
                }
            }
        }
        // In the control lane, with the NACK's RECEIPT: the redelivery is that frame's effect and precedes its receipt.
        again.forEach(message -> session.send(Unpooled.wrappedBuffer(head, message.withAck()), Delivery.CONTROL));
        return true;
    }

    /** Every message still unacknowledged, removed: what a leaving queue member hands back to its group. */
    List<StompMessages.Converted> drainPending() {
        synchronized (pending) {
            List<StompMessages.Converted> left = new ArrayList<>(pending.values());
            pending.clear();
            return left;
        }
    }

    private List<StompMessages.Converted> settle(String ackId) {
        List<StompMessages.Converted> settled = new ArrayList<>();
        synchronized (pending) {
            if (!pending.containsKey(ackId)) {
                return settled;
            }
            if (ackMode == AckMode.CLIENT_INDIVIDUAL) {
                settled.add(pending.remove(ackId));
                return settled;
            }
            Iterator<Map.Entry<String, StompMessages.Converted>> entries = pending.entrySet().iterator();
            while (entries.hasNext()) {
                Map.Entry<String, StompMessages.Converted> next = entries.next();
                entries.remove();
                settled.add(next.getValue());
                if (next.getKey().equals(ackId)) {
                    break;
                }
            }
        }
        return settled;
    }

    @Override
    public String transportName() {
        return "stomp";
    }
}
