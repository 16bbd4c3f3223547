package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * One channel subscription of a {@link TandemClient}: its position in the channel ({@code seq, epoch}) and
 * the ordering logic that makes the listener see every event once, in order.
 *
 * <p>Design. All state is touched only on the client's event thread. The position is the seq of the last
 * event handed to the listener. An event at or below it is a duplicate and is dropped. An event above
 * {@code position + 1} reveals a gap: it is parked (bounded, ordered by seq) while {@code history after
 * position} is fetched page by page; the fetched events and then the parked ones are delivered in order.
 * What history cannot supply (expired, or a new epoch) is reported once through
 * {@link SubscriptionListener#onGap} and skipped. After a reconnect the client resubscribes with
 * {@code since: {seq: position, epoch}}; the server replays what was missed before any live event, so the
 * same rules deliver it without gap or duplicate, and a {@code recovered: false} reply is surfaced.
 * In {@code ack: required} channels the server replays from the last seq the user confirmed
 * ({@link TandemClient#confirm}), which may be before the position: the position moves back to it, and copies
 * marked {@code redelivered} are handed to the listener even though their seq was seen.
 * The SDK's helpers ({@link Presence}, {@link ChatRoom}, {@link LiveCollection}) attach listeners of their own
 * to the channel's one subscription (the server allows one per channel and connection); every listener sees
 * the same events in the same order.
 */
public final class Subscription {
    /** Parked events beyond which a gap is given up (reported) instead of waiting for history. */
    static final int MAX_PARKED = 10_000;

    private final TandemClient client;
    private final String channel;
    private final List<SubscriptionListener> listeners = new CopyOnWriteArrayList<>();
    /** Created by a helper ({@link TandemClient#attach}): unsubscribed when its last helper detaches. */
    boolean shared;
    int attachments;
    /** Subscribed on the current connection (the server knows this subscription right now). */
    boolean live;
    private final CompletableFuture<SubscribedEvent> firstSubscribed = new CompletableFuture<>();
    private final TreeMap<Long, Publication> parked = new TreeMap<>();
    private long position = -1;
    private String epoch;
    private boolean filling;
    private int fillGeneration;
    private long duplicatesDropped;
    private volatile boolean active = true;

    Subscription(TandemClient client, String channel, SubscriptionListener listener, boolean shared) {
        this.client = client;
        this.channel = channel;
        this.listeners.add(listener);
        this.shared = shared;
    }

    void addListener(SubscriptionListener listener) {
        listeners.add(listener);
    }

    void removeListener(SubscriptionListener listener) {
        listeners.remove(listener);
    }

    public String channel() {
        return channel;
    }

    /** Completes on the first {@code subscribed} reply, or fails when the server refuses the subscription. */
    public CompletableFuture<SubscribedEvent> subscribed() {
        return firstSubscribed;
    }

    /** Stops delivery and tells the server (when connected). */
    public CompletableFuture<Void> unsubscribe() {
        return client.unsubscribe(this);
    }

    public boolean isActive() {
        return active;
    }

    /** The seq of the last event delivered (or the channel's seq at subscribe time); -1 before subscribed. */
    public long position() {
        return client.onLoop(() -> position).join();
    }

    /** How many duplicate events were dropped (diagnostics). */
    public long duplicatesDropped() {
        return client.onLoop(() -> duplicatesDropped).join();
    }

    void deactivate() {
        active = false;
        live = false;
        parked.clear();
    }

    boolean canResume() {
        return epoch != null && position >= 0;
    }

    long resumeSeq() {
        return position;
    }

    String resumeEpoch() {
        return epoch;
    }

    /** The {@code subscribed} reply; events it announces (recovered ones) follow it. */
    void onSubscribed(JsonNode payload, boolean resumed) {
        long seq = payload.path("seq").asLong();
        String newEpoch = payload.path("epoch").asText();
        boolean recovered = payload.path("recovered").asBoolean();
        if (!(resumed && recovered)) {
            position = seq;
        } else if (payload.path("ack").asBoolean() && payload.path("from").canConvertToLong()) {
            // ack: required: the server replays from the last confirmed seq, which may be before our position.
            position = Math.min(position, payload.path("from").asLong());
        }
        epoch = newEpoch;
        live = true;
        SubscribedEvent event = new SubscribedEvent(channel, seq, newEpoch, resumed, recovered);
        notify(l -> l.onSubscribed(event));
        firstSubscribed.complete(event);
    }

    void onRefused(TandemException error) {
        deactivate();
        notify(l -> l.onError(error));
        firstSubscribed.completeExceptionally(error);
    }

    void onEvent(JsonNode frame) {
        notify(l -> l.onEvent(frame));
    }

    /** The connection dropped: whatever a fill was waiting for will come back through resubscribe. */
    void onDisconnected() {
        live = false;
        filling = false;
        fillGeneration++;
        parked.clear();
    }

    void onSequenced(Publication p) {
        if (!active || position < 0) {
            return;
        }
        if (p.seq() <= position) {
            if (p.redelivered()) {
                notify(l -> l.onPublication(p));
                return;
            }
            duplicatesDropped++;
            return;
        }
        if (!filling && p.seq() == position + 1) {
            deliver(p);
            return;
        }
        parked.putIfAbsent(p.seq(), p);
        if (parked.size() > MAX_PARKED) {
            skipHoleAndDrain();
            return;
        }
        if (!filling) {
            filling = true;
            fetch(fillGeneration);
        }
    }

    private void fetch(int generation) {
        client.requestHistory(channel, HistoryQuery.after(position))
                .whenCompleteAsync((page, error) -> onPage(generation, page, error), client.executor());
    }

    private void onPage(int generation, HistoryPage page, Throwable error) {
        if (generation != fillGeneration || !active) {
            return;
        }
        if (error != null || !page.epoch().equals(epoch)) {
            skipHoleAndDrain();
            return;
        }
        for (Publication p : page.publications()) {
            if (p.seq() == position + 1) {
                deliver(p);
            }
        }
        drainParked();
        if (parked.isEmpty()) {
            filling = false;
        } else if (page.more() && !page.publications().isEmpty()) {
            fetch(generation);
        } else {
            skipHoleAndDrain();
        }
    }

    /** Reports the hole before the first parked event as lost and moves on. */
    private void skipHoleAndDrain() {
        filling = false;
        fillGeneration++;
        if (parked.isEmpty()) {
            return;
        }
        long from = position + 1;
        long to = parked.firstKey() - 1;
        if (to >= from) {
            notify(l -> l.onGap(from, to));
            position = to;
        }
        drainParked();
        if (!parked.isEmpty()) {
            skipHoleAndDrain();
        }
    }

    private void drainParked() {
        while (!parked.isEmpty()) {
            Map.Entry<Long, Publication> first = parked.firstEntry();
            if (first.getKey() <= position) {
                parked.pollFirstEntry();
                duplicatesDropped++;
            } else if (first.getKey() == position + 1) {
                parked.pollFirstEntry();
                deliver(first.getValue());
            } else {
                return;
            }
        }
    }

    private void deliver(Publication p) {
        position = p.seq();
        notify(l -> l.onPublication(p));
    }

    private void notify(Consumer<SubscriptionListener> callback) {
        Callbacks.each(listeners, callback, "listener of " + channel);
    }
}
