package dev.tandem.hub;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.config.NamespaceConfig;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.store.EventPage;
import dev.tandem.store.StoredEvent;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * Each publication is encoded once into one direct buffer; subscribers get duplicates of it, each holding a reference.
 * A channel that the hub has dropped is {@link #retired}: callers that find it so look it up again.
 *
 * <p>Durable channels ({@code history: durable}). The store allocates seqs and commits; the store's single
 * writer thread then calls {@link #committed} in commit order, which advances {@code seq}, appends to an
 * in-memory tail of recent publications and fans out, all under the lock as above. A subscribe reads the
 * store first, off the event loop and without the lock, then {@link #joinDurable} finishes under the lock:
 * it replays the rows it read, then the tail entries committed after the read, then joins. A row the read
 * saw but {@link #arrived} has not applied yet is remembered per subscriber ({@code replayedUpTo}) and
 * skipped when its fanout comes, so the replay and the live stream still meet with no gap and no duplicate.
 * If the tail no longer reaches back to the read, the join asks to be retried with a fresh read.
 *
 * <p>Bounded recovery. A replay is enqueued in one go under the lock, so it must fit in the subscriber's
 * outbound queue: more than {@code maxRecovered} missed publications, or a replay that the queue has no room
 * for right now, is answered {@code recovered: false} and the client pages the gap with {@code history} (as
 * Centrifugo does past its recovery publication limit). Enqueuing it anyway would disconnect the client as a
 * slow consumer, and its reconnect would ask for the same replay again, forever.
 *
 * <p>Acknowledged delivery ({@code ack: required}). {@link AckCursors} remember, per user, the last seq the user
 * confirmed. A subscribe replays from that seq even if the client's {@code since} is further on (or absent), and
 * {@link #redeliverDue} sends unconfirmed publications again after {@code ackTimeout}, at most
 * {@code maxRedeliveries} times per position, from history and only what fits the subscriber's queue.
 *
 * <p>A durable channel may carry a {@link DeliveryFilter} (live records readable by owner or members): its
 * audience is computed once per event and tested per subscriber in the fanout and in the replay.
 *
 * <p>Cluster. Non-durable channels then work like durable ones with the broker in place of the store: the
 * broker sequences, joins read its shared history first, and every publication arrives through
 * {@link #arrived}. Arrivals from several nodes (or after a lost pub/sub message) can come out of order, so
 * the channel delivers strictly in seq order: an arrival past a hole waits in {@code pending} while the hub
 * reads the hole back from shared history ({@link #filled}); a hole history no longer has is skipped. The tail
 * is cleared whenever seqs jump, so it stays contiguous and {@code covers} stays one comparison.
 */
final class Channel {
    private static final Logger LOG = LoggerFactory.getLogger(Channel.class);
    private final String name;
    private final NamespaceConfig policy;
    private String epoch;
    private final MemoryHistory history;
    private final boolean durable;
    private final boolean shared;
    /** Arrivals past a hole; a map is made by the first one (clustered channels only), so idle channels hold none. */
    private NavigableMap<Long, SharedEvent> pending = NO_PENDING;
    private boolean filling;
    private int joining;
    /** Created by the first durable join that needs it; most channels never do. */
    private Map<Subscriber, Long> replayedUpTo;
    private final Delivery.Lane lane;
    private final Delivery durableDelivery;
    private final int maxRecovered;
    private final AckCursors acks;
    private final SubscriberSet subscribers = new SubscriberSet();
    private final DeliveryFilter filter;
    private long seq;
    private boolean retired;

    /** {@link #arrived} and {@link #filled}: no history read is needed. */
    static final long NO_FILL = -1;
    private static final NavigableMap<Long, SharedEvent> NO_PENDING = Collections.emptyNavigableMap();
    /** Arrivals waiting for a hole before the oldest of them is given up on. */
    private static final int MAX_PENDING = 10_000;

    /**
     * A channel that recovers at most {@code maxRecovered} publications for a join, whose durable events reach
     * only the subscribers {@code filter} admits (null: all), and whose non-durable history lives in the cluster
     * broker when {@code clustered} (see the class comment).
     */
    Channel(String name, NamespaceConfig policy, String epoch, int maxRecovered, DeliveryFilter filter,
            boolean clustered) {
        this.name = name;
        this.maxRecovered = maxRecovered;
        this.acks = policy.ackRequired() ? new AckCursors() : null;
        this.filter = filter != null && filter.appliesTo(name) ? filter : null;
        this.policy = policy;
        this.epoch = epoch;
        this.lane = switch (policy.priority()) {
            case high -> Delivery.Lane.HIGH;
            case low -> Delivery.Lane.LOW;
            default -> Delivery.Lane.NORMAL;
        };
        this.durableDelivery = Delivery.of(lane, policy.latestOnly() ? name : null, 0);
        this.durable = policy.history() == NamespaceConfig.HistoryMode.durable;
        this.shared = durable || clustered;
        this.history = shared ? new MemoryHistory(TAIL_CAPACITY, TAIL_TTL_MILLIS) : switch (policy.history()) {
            case memory -> new MemoryHistory(policy.historySize(), policy.historyTtl().toMillis());
            case durable, none -> null;
        };
    }

    /** Recent committed publications a durable channel keeps to finish joins whose store read is a bit behind. */
    private static final int TAIL_CAPACITY = 4096;
    private static final long TAIL_TTL_MILLIS = 10 * 60_000L;

    /**
     * Whether arrivals must be kept in the tail. A durable channel needs them only while a join is reading the
     * store (the join is held from before its read, so the tail then starts early enough) or for redelivering
     * unconfirmed publications ({@code ack: required}); a clustered channel serves recoveries from it. Keeping
     * every durable arrival for ten minutes instead made each one live through several young collections: at
     * 5,000 msg/s on H2 the copying of those survivors was most of each 20–30 ms pause, the p99 of the ack.
     */
    private boolean keepsTail() {
        return joining > 0 || acks != null || !durable;
    }

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
        Delivery delivery = Delivery.of(lane, policy.latestOnly() ? name : null, ttlMillis > 0 ? now + ttlMillis : 0);
        Publication publication = new Publication(next, now, FrameCodec.encode(frame), delivery);
        seq = next;
        if (history != null) {
            history.expire(now);
            history.add(publication);
        }
        fanout(publication.frame(), delivery, null, 0, alloc);
        trackDelivery(next, now);
        return publication;
    }

    /** Hands one shared encoding of {@code frame} to every subscriber but {@code exclude}. */
    void broadcast(byte[] frame, Delivery delivery, Subscriber exclude, ByteBufAllocator alloc) {
        fanout(frame, delivery, exclude == null ? null : s -> s != exclude, 0, alloc);
    }

    /**
     * Shared: a publication committed by the store or sequenced by the broker, from any node, in any order.
     * Delivers it, and whatever waited for it, in seq order; returns the seq after which the hub must read a
     * hole back ({@link #filled}), or {@link #NO_FILL}. {@code eventEpoch} is null for durable events. Caller
     * checks retirement.
     */
    long arrived(String eventEpoch, SharedEvent event, ByteBufAllocator alloc) {
        if (eventEpoch != null && !eventEpoch.equals(epoch)) {
            restart(eventEpoch);
        }
        long next = event.seq();
        if (next <= seq || pending.containsKey(next)) {
            return NO_FILL;
        }
        if (next == seq + 1 || (subscribers.isEmpty() && pending.isEmpty())) {
            if (next != seq + 1) {
                history.clear(); // nobody is listening: no hole to fill, but the tail must stay contiguous
            }
            deliver(event, alloc);
            drainPending(alloc);
            return NO_FILL;
        }
        pendingToFill().put(next, event);
        if (pending.size() > MAX_PENDING) {
            skipHole(alloc);
            return NO_FILL;
        }
        return startFill();
    }

    /**
     * Shared: a hole read back from history. Returns the seq to read after again when a hole is left that the
     * read did not cover (cut at its limit, or a newer hole that opened while it ran), else {@link #NO_FILL}; a
     * hole the read covered but history no longer holds is skipped.
     */
    long filled(SharedPage page, ByteBufAllocator alloc) {
        filling = false;
        boolean sameEpoch = page.epoch() == null || page.epoch().isEmpty() || page.epoch().equals(epoch);
        long readTo = page.latest();
        for (SharedEvent event : page.events()) {
            readTo = Math.max(readTo, event.seq());
            if (event.seq() > seq && sameEpoch) {
                pendingToFill().putIfAbsent(event.seq(), event);
            }
        }
        drainPending(alloc);
        if (pending.isEmpty()) {
            return NO_FILL;
        }
        if (sameEpoch && (page.more() || readTo < pending.firstKey() - 1)) {
            return startFill();
        }
        skipHole(alloc);
        return NO_FILL;
    }

    /** Shared: a hole could not be read (broker or store down); the next arrival or a resync asks again. */
    void fillFailed() {
        filling = false;
    }

    /**
     * Shared: after a broker outage, where this channel must read history from to catch up, or
     * {@link #NO_FILL} when nobody here listens or a read is already on its way.
     */
    long resync() {
        if (subscribers.isEmpty() && pending.isEmpty()) {
            return NO_FILL;
        }
        return startFill();
    }

    /** Shared: where to read from again for a hole whose last read failed, or {@link #NO_FILL}. */
    long retryHole() {
        return pending.isEmpty() ? NO_FILL : startFill();
    }

    private long startFill() {
        if (filling) {
            return NO_FILL;
        }
        filling = true;
        return seq;
    }

    private NavigableMap<Long, SharedEvent> pendingToFill() {
        if (pending == NO_PENDING) {
            pending = new TreeMap<>();
        }
        return pending;
    }

    private void drainPending(ByteBufAllocator alloc) {
        while (!pending.isEmpty() && pending.firstKey() <= seq + 1) {
            SharedEvent event = pending.pollFirstEntry().getValue();
            if (event.seq() == seq + 1) {
                deliver(event, alloc);
            }
        }
    }

    /** Gives up on a hole: continues from the oldest waiting arrival; the tail restarts there. */
    private void skipHole(ByteBufAllocator alloc) {
        LOG.warn("{}: seqs {} to {} are no longer in history; skipped", name, seq + 1, pending.firstKey() - 1);
        history.clear();
        seq = pending.firstKey() - 1;
        drainPending(alloc);
    }

    private void deliver(SharedEvent event, ByteBufAllocator alloc) {
        Publication publication = publicationOf(event);
        seq = publication.seq();
        if (keepsTail()) {
            history.expire(publication.timestamp());
            history.add(publication);
        } else {
            history.clear();
        }
        if (replayedUpTo != null) {
            replayedUpTo.values().removeIf(upTo -> upTo < publication.seq());
        }
        fanout(publication.frame(), publication.delivery(),
                subscribers.isEmpty() ? null : audience(event.event().payload()), publication.seq(), alloc);
        trackDelivery(publication.seq(), System.currentTimeMillis());
    }

    private void trackDelivery(long delivered, long now) {
        if (acks == null) {
            return;
        }
        for (Subscriber subscriber : subscribers.array()) {
            if (subscriber.userId() != null) {
                acks.delivered(subscriber.userId(), delivered, now);
            }
        }
    }

    /**
     * The position a subscribe should recover from: in an {@code ack: required} channel, the user's last
     * confirmed seq when that is before {@code since} (or {@code since} is absent) in the same epoch.
     */
    Since ackSince(Subscriber subscriber, Since since) {
        AckCursors.Cursor cursor = acks == null || subscriber.userId() == null ? null : acks.get(subscriber.userId());
        if (cursor == null || (since != null && !epoch.equals(since.epoch()))) {
            return since;
        }
        return since == null || cursor.acked < since.seq() ? new Since(cursor.acked, epoch) : since;
    }

    private void ackJoined(Subscriber subscriber, boolean recovered, Since since, long latest) {
        if (acks != null && subscriber.userId() != null) {
            acks.joined(subscriber.userId(), recovered ? since.seq() : latest, latest, System.currentTimeMillis());
        }
    }

    /**
     * Tells an {@code ack: required} subscriber so, and where a recovery replays from ({@code from}: the user's
     * last confirmed seq, possibly before the {@code since} the client sent).
     */
    private void markAck(ObjectNode state, boolean recovered, Since since) {
        if (acks == null) {
            return;
        }
        state.put("ack", true);
        if (recovered) {
            state.put("from", since.seq());
        }
    }

    /** A user confirms every publication up to {@code seq}; false when the user has no position here. */
    boolean confirm(String user, long seq) {
        return acks != null && acks.confirm(user, seq, System.currentTimeMillis());
    }

    /**
     * Sends unconfirmed publications again to the connections of users whose oldest one has waited
     * {@code ackTimeout}. Returns how many frames were sent.
     */
    int redeliverDue(long now, ByteBufAllocator alloc) {
        if (acks == null || history == null) {
            return 0;
        }
        int sent = 0;
        for (String user : acks.due(now, policy.ackTimeout().toMillis(), policy.maxRedeliveries())) {
            long acked = acks.get(user).acked;
            if (!history.covers(acked + 1)) {
                continue;
            }
            List<Publication> replay = history.after(acked);
            List<byte[]> frames = null;
            for (Subscriber subscriber : subscribers.array()) {
                if (user.equals(subscriber.userId()) && fits(subscriber, replay)) {
                    frames = frames == null ? redelivered(replay) : frames;
                    for (int i = 0; i < replay.size(); i++) {
                        subscriber.send(wrap(frames.get(i), alloc), replay.get(i).delivery());
                    }
                    sent += replay.size();
                }
            }
            acks.redelivered(user, now);
        }
        return sent;
    }

    /** Copies marked {@code redelivered: true}, so clients that drop seqs they already saw let them through. */
    private static List<byte[]> redelivered(List<Publication> publications) {
        List<byte[]> frames = new ArrayList<>(publications.size());
        for (Publication p : publications) {
            try {
                ObjectNode frame = (ObjectNode) FrameCodec.JSON.readTree(p.frame());
                frame.put("redelivered", true);
                frames.add(FrameCodec.encodeAt(frame, p.timestamp()));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("our own frame does not parse", e);
            }
        }
        return frames;
    }

    /** Each user's position, for the lag report; empty unless {@code ack: required}. */
    Map<String, AckCursors.Cursor> ackCursors() {
        return acks == null ? Map.of() : acks.all();
    }

    boolean ackRequired() {
        return acks != null;
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

    /** The broker started the channel over (its state was lost and rebuilt): positions before it mean nothing. */
    private void restart(String newEpoch) {
        epoch = newEpoch;
        seq = 0;
        history.clear();
        pending = NO_PENDING;
        replayedUpTo = null;
        filling = false;
    }

    Publication publicationOf(SharedEvent event) {
        Delivery delivery = event.expiresAt() == 0 ? durableDelivery
                : Delivery.of(lane, policy.latestOnly() ? name : null, event.expiresAt());
        return DurableFrames.publication(event.event(), delivery);
    }

    long seq() {
        return seq;
    }

    /** A join is reading shared history: the channel must not be retired until it is done. */
    void holdForJoin() {
        joining++;
    }

    void releaseJoin() {
        joining--;
    }

    /**
     * Durable: finishes a subscribe whose store read is {@code read} (rows after {@code since.seq} when a
     * recovery was asked for and possible, else none). See the class comment.
     */
    DurableJoin joinDurable(Subscriber subscriber, Since since, SharedPage read, JsonNode requestId,
                            ByteBufAllocator alloc) {
        if (subscribers.contains(subscriber)) {
            return DurableJoin.ALREADY_SUBSCRIBED;
        }
        boolean sameEpoch = read.epoch().equals(epoch);
        if (!sameEpoch && subscribers.isEmpty() && pending.isEmpty()) {
            restart(read.epoch()); // nobody here holds a position in the old epoch (or the channel is new)
            sameEpoch = true;
        }
        List<SharedEvent> rows = sameEpoch ? read.events() : List.of();
        long readTo = sameEpoch ? Math.max(read.latest(), rows.isEmpty() ? 0 : rows.get(rows.size() - 1).seq()) : 0;
        long latest = Math.max(seq, readTo);
        long fromStore = since == null ? readTo : Math.max(readTo, since.seq());
        boolean recovered = since != null && sameEpoch && epoch.equals(since.epoch()) && since.seq() <= latest
                && !read.more() && latest - since.seq() <= maxRecovered
                && rows.size() == fromStore - since.seq();
        if (recovered && seq > fromStore && !history.covers(fromStore + 1)) {
            return DurableJoin.RETRY;
        }
        List<Publication> tail = recovered ? history.after(fromStore) : List.of();
        if (recovered) {
            List<Publication> replay = new ArrayList<>(rows.size() + tail.size());
            rows.forEach(row -> replay.add(publicationOf(row)));
            replay.addAll(tail);
            recovered = fits(subscriber, replay);
        }
        ObjectNode reply = FrameCodec.envelope("subscribed", requestId, name);
        ObjectNode state = reply.putObject("payload").put("seq", latest).put("epoch", epoch).put("recovered", recovered);
        if (policy.latestOnly()) {
            state.put("latestOnly", true);
        }
        ackJoined(subscriber, recovered, since, latest);
        markAck(state, recovered, since);
        subscriber.send(FrameCodec.encode(reply, alloc), Delivery.CONTROL);
        if (recovered) {
            for (SharedEvent row : rows) {
                if (admits(audience(row.event().payload()), subscriber)) {
                    Publication publication = publicationOf(row);
                    subscriber.send(wrap(publication.frame(), alloc), publication.delivery());
                }
            }
            for (Publication missed : tail) {
                if (admits(audience(missed), subscriber)) {
                    subscriber.send(wrap(missed.frame(), alloc), missed.delivery());
                }
            }
        }
        if (readTo > seq && subscribers.isEmpty() && pending.isEmpty()) {
            history.clear(); // the first listener: start the live stream where its read ended
            seq = readTo;
        } else if (readTo > seq) {
            if (replayedUpTo == null) {
                replayedUpTo = new HashMap<>();
            }
            replayedUpTo.put(subscriber, readTo);
        }
        subscribers.add(subscriber);
        return DurableJoin.JOINED;
    }

    /** One shared encoding to every subscriber {@code audience} admits (null: all) but those that already got {@code seq}. */
    private void fanout(byte[] frame, Delivery delivery, Predicate<Subscriber> audience, long seq, ByteBufAllocator alloc) {
        Subscriber[] targets = subscribers.array();
        if (targets.length == 0) {
            return;
        }
        ByteBuf shared = alloc.directBuffer(frame.length).writeBytes(frame);
        try {
            for (Subscriber subscriber : targets) {
                if (admits(audience, subscriber) && !alreadyReplayed(subscriber, seq)) {
                    subscriber.send(FanoutBuffers.share(shared), delivery);
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
    boolean subscribe(Subscriber subscriber, Since asked, JsonNode requestId, ByteBufAllocator alloc) {
        if (subscribers.contains(subscriber)) {
            return false;
        }
        Since since = ackSince(subscriber, asked);
        if (history != null) {
            history.expire(System.currentTimeMillis());
        }
        boolean recoverable = since != null && canRecover(since);
        List<Publication> replay = recoverable && since.seq() < seq ? history.after(since.seq()) : List.of();
        boolean recovered = recoverable && fits(subscriber, replay);
        ObjectNode reply = FrameCodec.envelope("subscribed", requestId, name);
        ObjectNode state = reply.putObject("payload").put("seq", seq).put("epoch", epoch).put("recovered", recovered);
        if (policy.latestOnly()) {
            // Conflation skips seqs on purpose: clients must not treat those gaps as losses.
            state.put("latestOnly", true);
        }
        ackJoined(subscriber, recovered, since, seq);
        markAck(state, recovered, since);
        subscriber.send(FrameCodec.encode(reply, alloc), Delivery.CONTROL);
        if (recovered) {
            for (Publication missed : replay) {
                subscriber.send(wrap(missed.frame(), alloc), missed.delivery());
            }
        }
        subscribers.add(subscriber);
        return true;
    }

    private boolean alreadyReplayed(Subscriber subscriber, long seq) {
        if (seq == 0 || replayedUpTo == null || replayedUpTo.isEmpty()) {
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

    /** Whether a replay is within the recovery limit and the subscriber's queue has room for it now. */
    private boolean fits(Subscriber subscriber, List<Publication> replay) {
        if (replay.size() > maxRecovered) {
            return false;
        }
        long bytes = 0;
        for (Publication p : replay) {
            bytes += p.frame().length;
        }
        // Room for the subscribed reply too, which goes first.
        return subscriber.hasRoomFor(replay.size() + 1, bytes + 256);
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
        if (replayedUpTo != null) {
            replayedUpTo.remove(subscriber);
        }
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
        return subscribers.size();
    }

    ChannelInfo info() {
        return new ChannelInfo(name, subscribers.size(), seq, epoch, history == null ? 0 : history.size());
    }

    /** Expires old history and, when nothing is left worth keeping, marks the channel retired. */
    boolean retireIfIdle(long now) {
        if (history != null) {
            history.expire(now);
        }
        if (acks != null) {
            acks.forgetIdle(now, policy.historyTtl().toMillis(),
                    user -> Arrays.stream(subscribers.array()).anyMatch(s -> user.equals(s.userId())));
        }
        if (joining == 0 && subscribers.isEmpty() && pending.isEmpty() && (shared || history == null || history.isEmpty())) {
            retired = true;
        }
        return retired;
    }

    private static ByteBuf wrap(byte[] frame, ByteBufAllocator alloc) {
        return alloc.directBuffer(frame.length).writeBytes(frame);
    }
}
