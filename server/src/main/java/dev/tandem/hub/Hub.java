package dev.tandem.hub;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.config.NamespaceConfig;
import dev.tandem.config.TandemConfig;
import dev.tandem.limits.NodeLoad;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.ops.Tracing;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.store.Append;
import dev.tandem.store.Appended;
import dev.tandem.store.Committed;
import dev.tandem.store.EventPage;
import dev.tandem.store.Store;
import dev.tandem.store.StoredEvent;
import dev.tandem.store.TransactionalWrite;
import io.netty.buffer.ByteBufAllocator;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The registry of channels on this node: creates a channel on first use with its namespace's policy,
 * routes subscribe, publish and history to it, and drops channels that have neither subscribers nor
 * history left ({@link #sweep}). A dropped channel comes back with a new epoch, which is exactly what tells
 * a recovering client that its position no longer means anything.
 *
 * <p>Channels of {@code history: durable} namespaces go through the {@link Store}: publishes are appended
 * (acknowledged after commit, fanned out from the store's writer in seq order), subscribes and history read
 * the store off the event loop, and their epoch is the store's, so it survives restarts.
 *
 * <p>In a cluster ({@link Broker#clustered}) the other channels are sequenced by the broker and their history
 * is the broker's: they are joined like durable ones (read, then join under the lock), and every publication,
 * from this node or another, arrives through {@link Receiver#receivePublication}. Durable commits and
 * ephemeral frames are passed to the broker for the other nodes. Holes in what arrives are read back from
 * the store or the broker ({@link #fill}); see {@link Channel}.
 */
public final class Hub implements Broker.Receiver {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TandemConfig config;
    private final TandemMetrics metrics;
    private static final int JOIN_ATTEMPTS = 3;

    private final ByteBufAllocator alloc;
    private final Store store;
    private final Tracing tracing;
    private static final AttributeKey<String> CHANNEL = AttributeKey.stringKey("tandem.channel");
    private static final AttributeKey<String> NAMESPACE = AttributeKey.stringKey("tandem.namespace");
    private final Broker broker;
    private final ConcurrentHashMap<String, Channel> channels = new ConcurrentHashMap<>();
    private final NodeLoad load;
    private final ConcurrentHashMap<String, DeliveryFilter> filters = new ConcurrentHashMap<>();

    /**
     * A hub without a store or tracing (benchmarks, tools): channels of {@code history: durable} namespaces are
     * refused.
     */
    public Hub(TandemConfig config, TandemMetrics metrics, ByteBufAllocator alloc) {
        this(config, metrics, alloc, null, Tracing.start(config.tracing()));
    }

    public Hub(TandemConfig config, TandemMetrics metrics, ByteBufAllocator alloc, Store store, Tracing tracing) {
        this(config, metrics, alloc, store, tracing, Broker.local());
    }

    public Hub(TandemConfig config, TandemMetrics metrics, ByteBufAllocator alloc, Store store, Tracing tracing,
               Broker broker) {
        this.broker = broker;
        this.config = config;
        this.metrics = metrics;
        this.alloc = alloc;
        this.store = store;
        this.tracing = tracing;
        this.load = new NodeLoad(config.limits(), () -> metrics.subscriptions().total());
    }

    /** The node-wide caps that publish and subscribe entry points (commands, server API) check first. */
    public NodeLoad load() {
        return load;
    }

    /**
     * Filters the events of every durable channel in {@code namespace} per subscriber (see {@link DeliveryFilter}).
     * Register before the namespace's channels are first used.
     */
    public void filter(String namespace, DeliveryFilter filter) {
        filters.put(namespace, filter);
    }

    /** Whether the channel's namespace keeps its history in the store. */
    public boolean isDurable(String channel) {
        boolean durable = policy(channel).history() == NamespaceConfig.HistoryMode.durable;
        if (durable && store == null) {
            throw new IllegalStateException(channel + " has durable history but this hub has no store");
        }
        return durable;
    }

    /**
     * Whether subscribing reads shared history first ({@link #subscribeDurable}): durable channels, and every
     * channel in a cluster.
     */
    public boolean joinsAsync(String channel) {
        return isDurable(channel) || broker.clustered();
    }

    /**
     * Subscribes to a durable channel (or any channel in a cluster): reads shared history (recovery rows after
     * {@code since}, or just the latest seq), then joins under the channel lock, enqueuing {@code subscribed}
     * and the replay. Completes with false when {@code stillWanted} says the subscriber gave up (unsubscribed,
     * closed) meanwhile, or was already subscribed.
     */
    public CompletableFuture<Boolean> subscribeDurable(Subscriber subscriber, String channel, Since since,
                                                       JsonNode requestId, BooleanSupplier stillWanted) {
        // Held from before the read, so publications arriving meanwhile land in its tail and the join finds them.
        Channel held = onChannel(channel, c -> {
            c.holdForJoin();
            return c;
        });
        Since from;
        synchronized (held) {
            from = held.ackSince(subscriber, since);
        }
        return joinAttempt(subscriber, channel, from, requestId, stillWanted, 1).whenComplete((joined, failure) -> {
            synchronized (held) {
                held.releaseJoin();
            }
        });
    }

    /**
     * {@code confirm}: the subscriber's user acknowledges every publication of an {@code ack: required} channel up
     * to {@code seq}. Refused with {@code bad_request} when the channel does not take acknowledgements or the
     * user holds no position in it (never subscribed).
     */
    public void confirm(Subscriber subscriber, String channel, long seq) {
        if (!policy(channel).ackRequired()) {
            throw ProtocolException.badRequest(channel + " does not take acknowledgements (namespace ack is none)");
        }
        String user = subscriber.userId();
        Channel c = channels.get(channel);
        boolean known;
        if (c == null || user == null) {
            known = false;
        } else {
            synchronized (c) {
                known = !c.isRetired() && c.confirm(user, seq);
            }
        }
        if (!known) {
            throw ProtocolException.badRequest("nothing to acknowledge on " + channel + "; subscribe first");
        }
    }

    /** Redelivers unconfirmed publications of {@code ack: required} channels whose timeout passed; run every second. */
    public void redeliver() {
        long now = System.currentTimeMillis();
        for (Channel c : channels.values()) {
            if (!c.policy().ackRequired()) {
                continue;
            }
            int sent;
            synchronized (c) {
                sent = c.isRetired() ? 0 : c.redeliverDue(now, alloc);
            }
            if (sent > 0) {
                metrics.redeliveries().increment(sent);
            }
        }
    }

    /** Per-user acknowledgement lag of an {@code ack: required} channel, most behind first. */
    public List<AckLag> ackLag(String channel) {
        Channel c = channels.get(channel);
        if (c == null) {
            return List.of();
        }
        List<AckLag> result = new ArrayList<>();
        synchronized (c) {
            c.ackCursors().forEach((user, cursor) ->
                    result.add(new AckLag(user, cursor.acked, cursor.delivered, cursor.lag(), cursor.redeliveries)));
        }
        result.sort(Comparator.comparingLong(AckLag::lag).reversed().thenComparing(AckLag::userId));
        return result;
    }

    private CompletableFuture<Boolean> joinAttempt(Subscriber subscriber, String channel, Since since,
                                                   JsonNode requestId, BooleanSupplier stillWanted, int attempt) {
        int limit = config.limits().maxRecoveredPublications();
        boolean durable = isDurable(channel);
        boolean recover = since != null && (!durable || since.epoch().equals(store.epoch())) && attempt <= JOIN_ATTEMPTS;
        CompletableFuture<SharedPage> read = recover
                ? readAfter(channel, since.seq(), limit)
                : readAfter(channel, Long.MAX_VALUE, 0);
        return read.thenCompose(page -> {
            Channel.DurableJoin outcome = onChannel(channel, c -> stillWanted.getAsBoolean()
                    ? c.joinDurable(subscriber, recover ? since : null, page, requestId, alloc)
                    : Channel.DurableJoin.ALREADY_SUBSCRIBED);
            if (outcome == Channel.DurableJoin.RETRY) {
                return joinAttempt(subscriber, channel, since, requestId, stillWanted, attempt + 1);
            }
            if (outcome == Channel.DurableJoin.JOINED) {
                metrics.subscriptions().add(subscriber.transportName(), 1);
            }
            return CompletableFuture.completedFuture(outcome == Channel.DurableJoin.JOINED);
        });
    }

    /**
     * Appends an event to a durable channel; after the commit it is fanned out (in seq order) and the future
     * completes with the stored event, or the original one for a repeated client message id.
     */
    public CompletableFuture<Appended> append(Append append) {
        if (!tracing.enabled()) {
            return store.append(append, this::fanOut);
        }
        Attributes attributes = Attributes.of(CHANNEL, append.channel(), NAMESPACE, metricsNamespace(append.channel()));
        return tracing.traced("tandem.publish", attributes, () -> {
            Context publish = Context.current();
            Span write = tracing.start("tandem.store.append");
            return Tracing.endWhenDone(write, store.append(append, appended -> {
                write.setAttribute("tandem.seq", appended.event().seq());
                write.end();
                tracing.run("tandem.fanout", publish, () -> fanOut(appended));
            }));
        });
    }

    private void fanOut(Appended appended) {
        committed(appended.event());
        broker.committed(appended.event());
    }

    /** Shared history after {@code after}: the store's for durable channels, the broker's for others. */
    private CompletableFuture<SharedPage> readAfter(String channel, long after, int limit) {
        if (!isDurable(channel)) {
            return broker.after(channel, policy(channel), after, limit, known(channel));
        }
        return store.after(channel, after, limit).thenApply(this::shared);
    }

    private SharedPage shared(EventPage page) {
        List<SharedEvent> events = new ArrayList<>(page.events().size());
        for (StoredEvent event : page.events()) {
            events.add(new SharedEvent(event, 0));
        }
        return new SharedPage(events, page.latest(), page.more(), store.epoch());
    }

    @Override
    public void receivePublication(String channel, String epoch, SharedEvent event) {
        arrive(channel, epoch, event);
    }

    @Override
    public void receiveCommitted(StoredEvent event) {
        arrive(event.channel(), null, new SharedEvent(event, 0));
    }

    @Override
    public void receiveBroadcast(String channel, byte[] frame) {
        Channel c = channels.get(channel);
        if (c == null) {
            return;
        }
        synchronized (c) {
            if (!c.isRetired()) {
                c.broadcast(frame, Delivery.NORMAL, null, alloc);
            }
        }
    }

    @Override
    public void resync() {
        for (Channel c : channels.values()) {
            long after;
            synchronized (c) {
                after = c.isRetired() ? Channel.NO_FILL : c.resync();
            }
            fill(c.name(), after);
        }
    }

    /**
     * Cluster: reads again the holes whose read failed (store or Redis briefly down) and that no later
     * publication has retried since; run periodically.
     */
    public void retryHoles() {
        for (Channel c : channels.values()) {
            long after;
            synchronized (c) {
                after = c.isRetired() ? Channel.NO_FILL : c.retryHole();
            }
            fill(c.name(), after);
        }
    }

    /**
     * A shared publication for a channel this node holds; a channel nobody here listens to (or is joining) is
     * not created for it: a later join reads shared history anyway.
     */
    private void arrive(String channel, String epoch, SharedEvent event) {
        Channel c = channels.get(channel);
        if (c == null) {
            return;
        }
        long fillAfter;
        synchronized (c) {
            if (c.isRetired()) {
                return;
            }
            fillAfter = c.arrived(epoch, event, alloc);
            metrics.deliveries().increment(c.subscriberCount());
        }
        fill(channel, fillAfter);
    }

    /**
     * Cluster: this node's position in a channel, which the broker continues from if it lost the channel (a
     * Redis restart), or null when this node has none.
     */
    private Since known(String channel) {
        Channel c = channels.get(channel);
        if (c == null) {
            return null;
        }
        synchronized (c) {
            return c.seq() == 0 || c.epoch().isEmpty() ? null : new Since(c.seq(), c.epoch());
        }
    }

    /** Reads a hole in what arrived back from shared history; the channel delivers what it gets in order. */
    private void fill(String channel, long after) {
        if (after == Channel.NO_FILL) {
            return;
        }
        readAfter(channel, after, config.limits().maxRecoveredPublications()).whenComplete((page, failure) -> {
            Channel c = channels.get(channel);
            if (c == null) {
                return;
            }
            long again;
            synchronized (c) {
                if (c.isRetired()) {
                    return;
                }
                if (failure != null) {
                    c.fillFailed();
                    return;
                }
                again = c.filled(page, alloc);
            }
            fill(channel, again);
        });
    }

    /**
     * Runs a transactional write (live records) in the store's group commit; the events it appends are fanned
     * out after the commit exactly like {@link #append}ed ones, in seq order.
     */
    public <R> CompletableFuture<Committed<R>> write(TransactionalWrite<R> write) {
        if (!tracing.enabled()) {
            return store.write(write, committed -> committed.events().forEach(this::committed));
        }
        Context parent = Context.current();
        Span span = tracing.start("tandem.store.write");
        return Tracing.endWhenDone(span, store.write(write, committed -> {
            span.setAttribute("tandem.events", committed.events().size());
            span.end();
            tracing.run("tandem.fanout", parent, () -> committed.events().forEach(this::committed));
        }));
    }

    /** The tracing of this hub, for services that trace their own work around it (entity writes). */
    public Tracing tracing() {
        return tracing;
    }

    /**
     * Publishes on any channel: durable ones through the store, others at once; completes with the seq.
     * {@code ttlMillis} applies to non-durable publications only (a stored event is never dropped).
     */
    public CompletableFuture<Long> publishAsync(String channel, JsonNode payload, String userId, long ttlMillis) {
        if (!isDurable(channel) && broker.clustered()) {
            metrics.publications(metricsNamespace(channel)).increment();
            return broker.publish(channel, policy(channel), payload.toString(), userId, System.currentTimeMillis(),
                    ttlMillis, known(channel));
        }
        if (!isDurable(channel)) {
            return CompletableFuture.completedFuture(publish(channel, payload, userId, ttlMillis).seq());
        }
        Append append = Append.publication(channel, payload.toString(), userId, System.currentTimeMillis());
        return append(append).thenApply(appended -> appended.event().seq());
    }

    private void committed(StoredEvent event) {
        arrive(event.channel(), null, new SharedEvent(event, 0));
        metrics.publications(metricsNamespace(event.channel())).increment();
    }

    /** A page of history from wherever the channel keeps it. */
    public CompletableFuture<HistoryPage> historyAsync(String channel, HistoryQuery query) {
        if (!isDurable(channel) && broker.clustered()) {
            NamespaceConfig policy = policy(channel);
            CompletableFuture<SharedPage> read = query.after() >= 0 && query.before() < 0
                    ? broker.after(channel, policy, query.after(), query.limit(), known(channel))
                    : broker.before(channel, policy, query.before(), query.limit(), known(channel));
            return read.thenApply(page -> new HistoryPage(
                    page.events().stream().map(e -> DurableFrames.publication(e.event(), Delivery.NORMAL)).toList(),
                    page.latest(), page.epoch(), page.more()));
        }
        if (!isDurable(channel)) {
            return CompletableFuture.completedFuture(history(channel, query));
        }
        CompletableFuture<EventPage> read = query.after() >= 0 && query.before() < 0
                ? store.after(channel, query.after(), query.limit())
                : store.before(channel, query.before(), query.limit());
        return read.thenApply(page -> new HistoryPage(
                page.events().stream().map(e -> DurableFrames.publication(e, Delivery.NORMAL)).toList(), page.latest(), store.epoch(),
                page.more()));
    }

    /** The policy that applies to a (valid) channel name. */
    public NamespaceConfig policy(String channel) {
        return config.namespace(ChannelName.namespace(channel));
    }

    /** The namespace to count a channel under: its own when configured, else {@code default} (bounded tags). */
    private String metricsNamespace(String channel) {
        String namespace = ChannelName.namespace(channel);
        return config.namespaces().containsKey(namespace) ? namespace : TandemConfig.DEFAULT_NAMESPACE;
    }

    /**
     * Subscribes, enqueuing the {@code subscribed} reply and any recovered publications; false if already
     * subscribed. A durable channel is joined asynchronously ({@link #subscribeDurable}, the reply follows the
     * store read) and this returns true; callers that can give up meanwhile use {@link #subscribeDurable}.
     */
    public boolean subscribe(Subscriber subscriber, String channel, Since since, JsonNode requestId) {
        if (joinsAsync(channel)) {
            subscribeDurable(subscriber, channel, since, requestId, () -> true);
            return true;
        }
        boolean added = onChannel(channel, c -> c.subscribe(subscriber, since, requestId, alloc));
        if (added) {
            metrics.subscriptions().add(subscriber.transportName(), 1);
        }
        return added;
    }

    public boolean unsubscribe(Subscriber subscriber, String channel) {
        Channel c = channels.get(channel);
        if (c == null) {
            return false;
        }
        boolean removed;
        synchronized (c) {
            removed = c.unsubscribe(subscriber);
        }
        if (removed) {
            metrics.subscriptions().add(subscriber.transportName(), -1);
        }
        return removed;
    }

    /**
     * Publishes on a channel without durable history and fans out to local subscribers; {@code userId} is
     * null for server-side publishes. Durable channels take {@link #publishAsync}. Traced as a
     * {@code tandem.publish} span when tracing is on; a store or broker joins it as the current span.
     */
    public Publication publish(String channel, JsonNode payload, String userId) {
        return publish(channel, payload, userId, 0);
    }

    /** As {@link #publish(String, JsonNode, String)}, with copies still queued after {@code ttlMillis} dropped. */
    public Publication publish(String channel, JsonNode payload, String userId, long ttlMillis) {
        if (isDurable(channel) || broker.clustered()) {
            throw new IllegalStateException(channel + " is durable or clustered: publish through publishAsync");
        }
        if (!tracing.enabled()) {
            return publishNow(channel, payload, userId, ttlMillis);
        }
        String namespace = metricsNamespace(channel);
        Span span = tracing.tracer().spanBuilder("tandem.publish")
                .setAttribute(CHANNEL, channel)
                .setAttribute(NAMESPACE, namespace)
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            Publication publication = tracing.call("tandem.fanout", Context.current(),
                    () -> publishNow(channel, payload, userId, ttlMillis));
            span.setAttribute("tandem.seq", publication.seq());
            return publication;
        } catch (RuntimeException e) {
            span.recordException(e);
            span.setStatus(StatusCode.ERROR);
            throw e;
        } finally {
            span.end();
        }
    }

    private Publication publishNow(String channel, JsonNode payload, String userId, long ttlMillis) {
        Publication publication = onChannel(channel, c -> {
            Publication p = c.publish(payload, userId, ttlMillis, alloc);
            int fanout = c.subscriberCount();
            metrics.deliveries().increment(fanout);
            if (tracing.enabled()) {
                Span.current().setAttribute("tandem.fanout", fanout);
            }
            return p;
        });
        metrics.publications(metricsNamespace(channel)).increment();
        return publication;
    }

    /**
     * Sends an ephemeral frame (typing, receipts: no seq, never stored) to the channel's subscribers on every node,
     * except {@code exclude} when non-null. Encoded once, like a publication.
     */
    public void broadcast(String channel, ObjectNode frame, Subscriber exclude) {
        byte[] encoded = FrameCodec.encode(frame);
        broker.broadcast(channel, encoded);
        broadcastHere(channel, encoded, exclude);
    }

    /**
     * As {@link #broadcast}, to this node's subscribers only: for a service that carries its events between
     * nodes itself (presence does, in the order its shared store applied the changes).
     */
    public void broadcastLocal(String channel, ObjectNode frame, Subscriber exclude) {
        broadcastHere(channel, FrameCodec.encode(frame), exclude);
    }

    private void broadcastHere(String channel, byte[] encoded, Subscriber exclude) {
        Channel c = channels.get(channel);
        if (c == null) {
            return;
        }
        synchronized (c) {
            if (!c.isRetired()) {
                c.broadcast(encoded, Delivery.NORMAL, exclude, alloc);
            }
        }
    }

    public HistoryPage history(String channel, HistoryQuery query) {
        return onChannel(channel, c -> c.history(query));
    }

    /** Active channels, most subscribed first. */
    public List<ChannelInfo> channels() {
        List<ChannelInfo> result = new ArrayList<>();
        for (Channel c : channels.values()) {
            synchronized (c) {
                if (!c.isRetired()) {
                    result.add(c.info());
                }
            }
        }
        result.sort(Comparator.comparingInt(ChannelInfo::subscribers).reversed().thenComparing(ChannelInfo::name));
        return result;
    }

    /** Drops channels with no subscribers and no history; run periodically. */
    public void sweep() {
        long now = System.currentTimeMillis();
        for (Channel c : channels.values()) {
            synchronized (c) {
                if (c.retireIfIdle(now)) {
                    channels.remove(c.name(), c);
                }
            }
        }
    }

    private <T> T onChannel(String name, Function<Channel, T> action) {
        while (true) {
            Channel c = channels.computeIfAbsent(name, n -> new Channel(n, policy(n),
                    isDurable(n) ? store.epoch() : broker.clustered() ? "" : newEpoch(),
                    config.limits().maxRecoveredPublications(), filters.get(ChannelName.namespace(n)), broker.clustered()));
            synchronized (c) {
                if (!c.isRetired()) {
                    return action.apply(c);
                }
            }
        }
    }

    private static String newEpoch() {
        return Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
    }
}
