package dev.tandem.transport.stomp;

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
 * One STOMP {@code SUBSCRIBE}: the hub subscriber that turns a channel's frames into {@code MESSAGE} frames on
 * its session. Its head ({@code MESSAGE}, {@code subscription}, {@code destination}) is encoded once when the
 * subscription starts and each delivery pairs it with the publication's shared part ({@link StompMessages}),
 * so a subscriber costs one composite buffer per message and no copy.
 *
 * <p>In {@code client} and {@code client-individual} modes it remembers the messages sent and not yet
 * acknowledged (at most {@code maxPending}; a client that lets more pile up is disconnected like a slow
 * consumer), so a {@code NACK} can redeliver them. {@link #send} runs on the publisher's thread under the
 * channel lock and acknowledgements on the connection's loop, hence the lock on {@code pending}.
 */
final class StompSubscription implements Subscriber {
    private final String id;
    private final StompDestination destination;
    private final AckMode ackMode;
    private final Session session;
    private final int maxPending;
    private final byte[] head;
    private final LinkedHashMap<String, byte[]> pending = new LinkedHashMap<>();
    private volatile String receiptId;

    StompSubscription(String id, StompDestination destination, AckMode ackMode, Session session, int maxPending,
                      String receiptId) {
        this.id = id;
        this.destination = destination;
        this.ackMode = ackMode;
        this.session = session;
        this.maxPending = maxPending;
        this.receiptId = receiptId;
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

    @Override
    public void send(ByteBuf frame) {
        try {
            StompMessages.Converted message = StompMessages.convert(frame);
            if (message.subscribed() != null) {
                confirm(message.subscribed());
            } else if (ackMode == AckMode.AUTO) {
                session.send(Unpooled.wrappedBuffer(head, message.plain()));
            } else {
                deliverTracked(message);
            }
        } finally {
            frame.release();
        }
    }

    /** The hub's {@code subscribed} reply: answers the {@code SUBSCRIBE}'s receipt, with the channel position. */
    private void confirm(StompMessages.Subscribed subscribed) {
        String receipt = receiptId;
        receiptId = null;
        if (receipt != null) {
            session.send(Unpooled.wrappedBuffer(StompEncoder.receipt(receipt, Map.of(
                    "tandem-seq", Long.toString(subscribed.seq()),
                    "tandem-epoch", subscribed.epoch(),
                    "tandem-recovered", Boolean.toString(subscribed.recovered())))));
        }
    }

    private void deliverTracked(StompMessages.Converted message) {
        boolean overflow;
        synchronized (pending) {
            overflow = pending.size() >= maxPending;
            if (!overflow) {
                pending.put(message.messageId(), message.withAck());
            }
        }
        if (overflow) {
            session.disconnect(CloseCode.POLICY, "more than " + maxPending + " unacknowledged messages on subscription " + id);
            return;
        }
        session.send(Unpooled.wrappedBuffer(head, message.withAck()));
    }

    /** Forgets {@code ackId} (and in {@code client} mode every earlier message); false if it is not pending. */
    boolean ack(String ackId) {
        return !settle(ackId).isEmpty();
    }

    /** Sends {@code ackId} (and in {@code client} mode every earlier pending message) again; false if not pending. */
    boolean nack(String ackId) {
        List<byte[]> again;
        synchronized (pending) {
            if (!pending.containsKey(ackId)) {
                return false;
            }
            again = new ArrayList<>();
            for (Map.Entry<String, byte[]> entry : pending.entrySet()) {
                if (ackMode == AckMode.CLIENT || entry.getKey().equals(ackId)) {
                    again.add(entry.getValue());
                }
                if (entry.getKey().equals(ackId)) {
                    break;
                }
            }
        }
        again.forEach(shared -> session.send(Unpooled.wrappedBuffer(head, shared)));
        return true;
    }

    private List<String> settle(String ackId) {
        List<String> settled = new ArrayList<>();
        synchronized (pending) {
            if (!pending.containsKey(ackId)) {
                return settled;
            }
            if (ackMode == AckMode.CLIENT_INDIVIDUAL) {
                pending.remove(ackId);
                settled.add(ackId);
                return settled;
            }
            Iterator<String> ids = pending.keySet().iterator();
            while (ids.hasNext()) {
                String next = ids.next();
                ids.remove();
                settled.add(next);
                if (next.equals(ackId)) {
                    break;
                }
            }
        }
        return settled;
    }
}
