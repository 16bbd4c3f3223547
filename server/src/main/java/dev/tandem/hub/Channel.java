package dev.tandem.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.config.NamespaceConfig;
import dev.tandem.protocol.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * One channel: its sequence counter, its history and its local subscribers.
 *
 * <p>Design. Every operation that touches seq, history or the subscriber set runs under this object's
 * monitor, and delivery to subscribers (an enqueue, never I/O) happens inside the same critical section.
 * That single rule gives the guarantees of the protocol:
 * <ul>
 *   <li>seqs are gap-free and every subscriber enqueues publications in seq order;</li>
 *   <li>a subscribe with {@code since} enqueues {@code subscribed}, then the missed publications from
 *       history, then joins the subscriber set, all before the next publish can run, so the replay and
 *       the live stream meet with no gap and no duplicate however fast publishers are going.</li>
 * </ul>
 * Each publication is encoded once into one direct buffer; subscribers get retained duplicates of it.
 * A channel that the hub has dropped is {@link #retired}: callers that find it so look it up again.
 */
final class Channel {
    private final String name;
    private final NamespaceConfig policy;
    private final String epoch;
    private final MemoryHistory history;
    private final Delivery.Lane lane;
    private final Set<Subscriber> subscribers = new LinkedHashSet<>();
    private Subscriber[] snapshot = new Subscriber[0];
    private long seq;
    private boolean retired;

    Channel(String name, NamespaceConfig policy, String epoch) {
        this.name = name;
        this.policy = policy;
        this.epoch = epoch;
        this.lane = switch (policy.priority()) {
            case high -> Delivery.Lane.HIGH;
            case low -> Delivery.Lane.LOW;
            default -> Delivery.Lane.NORMAL;
        };
        this.history = policy.history() == NamespaceConfig.HistoryMode.memory
                ? new MemoryHistory(policy.historySize(), policy.historyTtl().toMillis())
                : null;
    }

    String name() {
        return name;
    }

    NamespaceConfig policy() {
        return policy;
    }

    boolean isRetired() {
        return retired;
    }

    /**
     * Assigns the next seq, records and fans out; returns the publication. {@code ttlMillis} &gt; 0 makes queued
     * copies expire. Caller checks retirement.
     */
    Publication publish(JsonNode payload, String userId, long ttlMillis, ByteBufAllocator alloc) {
        long next = seq + 1;
        long now = System.currentTimeMillis();
        ObjectNode frame = FrameCodec.envelope("publication", null, name);
        frame.put("seq", next);
        frame.set("payload", payload);
        if (userId != null) {
            frame.put("userId", userId);
        }
        Delivery delivery = new Delivery(lane, policy.latestOnly() ? name : null, ttlMillis > 0 ? now + ttlMillis : 0);
        Publication publication = new Publication(next, now, FrameCodec.encode(frame), delivery);
        seq = next;
        if (history != null) {
            history.expire(now);
            history.add(publication);
        }
        broadcast(publication.frame(), delivery, null, alloc);
        return publication;
    }

    /** Hands one shared encoding of {@code frame} to every subscriber but {@code exclude}. */
    void broadcast(byte[] frame, Delivery delivery, Subscriber exclude, ByteBufAllocator alloc) {
        Subscriber[] targets = snapshot;
        if (targets.length == 0) {
            return;
        }
        ByteBuf shared = alloc.directBuffer(frame.length).writeBytes(frame);
        try {
            for (Subscriber subscriber : targets) {
                if (subscriber != exclude) {
                    subscriber.send(shared.retainedDuplicate(), delivery);
                }
            }
        } finally {
            shared.release();
        }
    }

    /**
     * Adds a subscriber, first enqueuing the {@code subscribed} reply and, when {@code since} can be served,
     * every publication after it. Returns whether the subscriber is new.
     */
    boolean subscribe(Subscriber subscriber, Since since, JsonNode requestId, ByteBufAllocator alloc) {
        if (subscribers.contains(subscriber)) {
            return false;
        }
        if (history != null) {
            history.expire(System.currentTimeMillis());
        }
        boolean recovered = since != null && canRecover(since);
        ObjectNode reply = FrameCodec.envelope("subscribed", requestId, name);
        ObjectNode state = reply.putObject("payload").put("seq", seq).put("epoch", epoch).put("recovered", recovered);
        if (policy.latestOnly()) {
            // Conflation skips seqs on purpose: clients must not treat those gaps as losses.
            state.put("latestOnly", true);
        }
        subscriber.send(wrap(FrameCodec.encode(reply), alloc), Delivery.CONTROL);
        if (recovered && since.seq() < seq) {
            for (Publication missed : history.after(since.seq())) {
                subscriber.send(wrap(missed.frame(), alloc), missed.delivery());
            }
        }
        subscribers.add(subscriber);
        snapshot = subscribers.toArray(new Subscriber[0]);
        return true;
    }

    private boolean canRecover(Since since) {
        if (!epoch.equals(since.epoch()) || since.seq() > seq) {
            return false;
        }
        return since.seq() == seq || (history != null && history.covers(since.seq() + 1));
    }

    boolean unsubscribe(Subscriber subscriber) {
        if (!subscribers.remove(subscriber)) {
            return false;
        }
        snapshot = subscribers.toArray(new Subscriber[0]);
        return true;
    }

    HistoryPage history(HistoryQuery query) {
        if (history == null) {
            return new HistoryPage(List.of(), seq, epoch, false);
        }
        history.expire(System.currentTimeMillis());
        return history.page(query, seq, epoch);
    }

    int subscriberCount() {
        return snapshot.length;
    }

    ChannelInfo info() {
        return new ChannelInfo(name, subscribers.size(), seq, epoch, history == null ? 0 : history.size());
    }

    /** Expires old history and, when nothing is left worth keeping, marks the channel retired. */
    boolean retireIfIdle(long now) {
        if (history != null) {
            history.expire(now);
        }
        if (subscribers.isEmpty() && (history == null || history.isEmpty())) {
            retired = true;
        }
        return retired;
    }

    private static ByteBuf wrap(byte[] frame, ByteBufAllocator alloc) {
        return alloc.directBuffer(frame.length).writeBytes(frame);
    }
}
