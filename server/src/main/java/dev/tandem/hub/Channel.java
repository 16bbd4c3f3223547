package dev.tandem.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.config.NamespaceConfig;
import dev.tandem.protocol.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import dev.tandem.store.EventPage;
import dev.tandem.store.StoredEvent;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import com.fasterxml.jackson.core.JsonProcessingException;

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
 *
 * <p>Durable channels ({@code history: durable}). The store allocates seqs and commits; the store's single
 * writer thread then calls {@link #committed} in commit order, which advances {@code seq}, appends to an
 * in-memory tail of recent publications and fans out, all under the lock as above. A subscribe reads the
 * store first, off the event loop and without the lock, then {@link #joinDurable} finishes under the lock:
 * it replays the rows it read, then the tail entries committed after the read, then joins. A row the read
 * saw but {@link #committed} has not applied yet is remembered per subscriber ({@code replayedUpTo}) and
 * skipped when its fanout comes, so the replay and the live stream still meet with no gap and no duplicate.
 * If the tail no longer reaches back to the read, the join asks to be retried with a fresh read.
 *
 * <p>A durable channel may carry a {@link DeliveryFilter} (live records readable by owner or members): its
 * audience is computed once per event and tested per subscriber in the fanout and in the replay.
 */
final class Channel {
    private final String name;
    private final NamespaceConfig policy;
    private final String epoch;
    private final MemoryHistory history;
    private final boolean durable;
    private final Map<Subscriber, Long> replayedUpTo = new HashMap<>();
    private final Delivery.Lane lane;
    private final Delivery durableDelivery;
    private final Set<Subscriber> subscribers = new LinkedHashSet<>();
    private final DeliveryFilter filter;
    private Subscriber[] snapshot = new Subscriber[0];
    private long seq;
    private boolean retired;

    Channel(String name, NamespaceConfig policy, String epoch) {
        this(name, policy, epoch, null);
    }

    /** A channel whose durable events reach only the subscribers {@code filter} admits (null: all). */
    Channel(String name, NamespaceConfig policy, String epoch, DeliveryFilter filter) {
        this.name = name;
        this.filter = filter != null && filter.appliesTo(name) ? filter : null;
        this.policy = policy;
        this.epoch = epoch;
        this.lane = switch (policy.priority()) {
            case high -> Delivery.Lane.HIGH;
            case low -> Delivery.Lane.LOW;
            default -> Delivery.Lane.NORMAL;
        };
        this.durableDelivery = new Delivery(lane, policy.latestOnly() ? name : null, 0);
        this.durable = policy.history() == NamespaceConfig.HistoryMode.durable;
        this.history = switch (policy.history()) {
            case memory -> new MemoryHistory(policy.historySize(), policy.historyTtl().toMillis());
            case durable -> new MemoryHistory(TAIL_CAPACITY, TAIL_TTL_MILLIS);
            case none -> null;
        };
    }

    /** Recent committed publications a durable channel keeps to finish joins whose store read is a bit behind. */
    private static final int TAIL_CAPACITY = 4096;
    private static final long TAIL_TTL_MILLIS = 10 * 60_000L;

    /** Whether joins that differ only in outcome need another store read. */
    enum DurableJoin { JOINED, ALREADY_SUBSCRIBED, RETRY }

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
        fanout(publication.frame(), delivery, null, 0, alloc);
        return publication;
    }

    /** Hands one shared encoding of {@code frame} to every subscriber but {@code exclude}. */
    void broadcast(byte[] frame, Delivery delivery, Subscriber exclude, ByteBufAllocator alloc) {
        fanout(frame, delivery, exclude == null ? null : s -> s != exclude, 0, alloc);
    }

    /** Durable: a publication the store committed; called in commit order. Caller checks retirement. */
    void committed(StoredEvent event, ByteBufAllocator alloc) {
        if (event.seq() <= seq) {
            return;
        }
        Publication publication = DurableFrames.publication(event, durableDelivery);
        seq = publication.seq();
        history.expire(publication.timestamp());
        history.add(publication);
        replayedUpTo.values().removeIf(upTo -> upTo < publication.seq());
        fanout(publication.frame(), publication.delivery(), snapshot.length == 0 ? null : audience(event.payload()),
                publication.seq(), alloc);
    }

    /** The filter's audience of an event (null: everyone); only filtered channels parse the payload. */
    private Predicate<Subscriber> audience(String payload) {
        if (filter == null) {
            return null;
        }
        try {
            return filter.audience(name, FrameCodec.JSON.readTree(payload));
        } catch (JsonProcessingException e) {
            return subscriber -> false;
        }
    }

    private Predicate<Subscriber> audience(Publication publication) {
        if (filter == null) {
            return null;
        }
        try {
            return filter.audience(name, FrameCodec.JSON.readTree(publication.frame()).path("payload"));
        } catch (java.io.IOException e) {
            return subscriber -> false;
        }
    }

    private static boolean admits(Predicate<Subscriber> audience, Subscriber subscriber) {
        return audience == null || audience.test(subscriber);
    }

    /**
     * Durable: finishes a subscribe whose store read is {@code read} (rows after {@code since.seq} when a
     * recovery was asked for and possible, else none). See the class comment.
     */
    DurableJoin joinDurable(Subscriber subscriber, Since since, EventPage read, int recoveryLimit,
                            JsonNode requestId, ByteBufAllocator alloc) {
        if (subscribers.contains(subscriber)) {
            return DurableJoin.ALREADY_SUBSCRIBED;
        }
        List<StoredEvent> rows = read.events();
        long readTo = Math.max(read.latest(), rows.isEmpty() ? 0 : rows.get(rows.size() - 1).seq());
        long latest = Math.max(seq, readTo);
        long fromStore = since == null ? readTo : Math.max(readTo, since.seq());
        boolean recovered = since != null && epoch.equals(since.epoch()) && since.seq() <= latest
                && !read.more() && latest - since.seq() <= recoveryLimit
                && rows.size() == fromStore - since.seq();
        if (recovered && seq > fromStore && !history.covers(fromStore + 1)) {
            return DurableJoin.RETRY;
        }
        ObjectNode reply = FrameCodec.envelope("subscribed", requestId, name);
        ObjectNode state = reply.putObject("payload").put("seq", latest).put("epoch", epoch).put("recovered", recovered);
        if (policy.latestOnly()) {
            state.put("latestOnly", true);
        }
        subscriber.send(wrap(FrameCodec.encode(reply), alloc), Delivery.CONTROL);
        if (recovered) {
            for (StoredEvent row : rows) {
                if (admits(audience(row.payload()), subscriber)) {
                    subscriber.send(wrap(DurableFrames.publication(row, durableDelivery).frame(), alloc), durableDelivery);
                }
            }
            for (Publication missed : history.after(fromStore)) {
                if (admits(audience(missed), subscriber)) {
                    subscriber.send(wrap(missed.frame(), alloc), missed.delivery());
                }
            }
        }
        if (readTo > seq) {
            replayedUpTo.put(subscriber, readTo);
        }
        subscribers.add(subscriber);
        snapshot = subscribers.toArray(new Subscriber[0]);
        return DurableJoin.JOINED;
    }

    /** One shared encoding to every subscriber {@code audience} admits (null: all) but those that already got {@code seq}. */
    private void fanout(byte[] frame, Delivery delivery, Predicate<Subscriber> audience, long seq, ByteBufAllocator alloc) {
        Subscriber[] targets = snapshot;
        if (targets.length == 0) {
            return;
        }
        ByteBuf shared = alloc.directBuffer(frame.length).writeBytes(frame);
        try {
            for (Subscriber subscriber : targets) {
                if (admits(audience, subscriber) && !alreadyReplayed(subscriber, seq)) {
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

    private boolean alreadyReplayed(Subscriber subscriber, long seq) {
        if (seq == 0 || replayedUpTo.isEmpty()) {
            return false;
        }
        Long upTo = replayedUpTo.get(subscriber);
        return upTo != null && upTo >= seq;
    }

    boolean isDurable() {
        return durable;
    }

    String epoch() {
        return epoch;
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
        replayedUpTo.remove(subscriber);
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
        if (subscribers.isEmpty() && (durable || history == null || history.isEmpty())) {
            retired = true;
        }
        return retired;
    }

    private static ByteBuf wrap(byte[] frame, ByteBufAllocator alloc) {
        return alloc.directBuffer(frame.length).writeBytes(frame);
    }
}
