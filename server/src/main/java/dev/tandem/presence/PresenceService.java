package dev.tandem.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.config.PresenceConfig;
import dev.tandem.hub.Hub;
import dev.tandem.hub.Subscriber;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.Session;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.EventLoop;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The semantics of presence: who is in a channel, as one member per user however many connections they have,
 * with {@code online}/{@code away}/{@code offline} status, and the ephemeral events that tell subscribers about
 * it ({@code presence:join}, {@code presence:update}, {@code presence:leave}, batched in a busy channel into
 * {@code presence:diff} by the {@link MemberEventBatcher}; the joiner gets {@code presence:sync} or, above the
 * namespace's {@code syncLimit}, {@code presence:stats}).
 *
 * <p>Crowded channels. Above {@code syncLimit} users a channel is in stats mode ({@link StatsMode}, with
 * hysteresis): membership changes (a join, a leave, a tab that comes or goes) are no longer broadcast one by one,
 * which in a mass reconnect of N members would send N events to N subscribers, but summed up in one
 * {@code presence:stats} per {@code statsInterval}; state and status updates still go out, coalesced per user.
 * When the channel shrinks back, its subscribers get the member list once ({@code presence:sync} without a
 * {@code requestId}) and member events resume.
 *
 * <p>Design. This node's connections' entries are kept in {@link #own} (this node is their only writer) and
 * written through to the {@link PresenceStore}, which reports each write's before/after view of the user; the
 * event to broadcast follows from that view alone. Every store write of a channel and the broadcast it causes run
 * under that channel's stripe lock, so subscribers see a channel's presence events in the order the store applied
 * them (never a leave overtaken by the join before it). A joiner's snapshot is taken under the same lock; as a
 * reply it may overtake events already queued for the joiner, which is harmless because every event carries the
 * member's full state, so applying them after the snapshot converges. Cursor-rate updates change {@link #own} at once but reach the store and the wire
 * through the {@link UpdateCoalescer}, at most {@code updateRate} times a second per user, latest state winning.
 * Time-based transitions (TTL expiry → offline, inactivity → away) are applied by {@link #sweep}, which reads the
 * injected {@link Clock}: the store's expiry index says which entries are due, and {@link #own} which of this
 * node's connections have been idle past {@code awayAfter}.
 */
public final class PresenceService {
    /** How often {@link #sweep} should run. */
    public static final Duration SWEEP_INTERVAL = Duration.ofMillis(500);

    private static final Logger LOG = LoggerFactory.getLogger(PresenceService.class);
    private static final int STRIPES = 64;
    private static final int EXPIRE_BATCH = 10_000;

    private final Hub hub;
    private final PresenceStore store;
    private final Clock clock;
    private final ConcurrentHashMap<PresenceKey, PresenceEntry> own = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Set<String>> joinedBySession = new ConcurrentHashMap<>();
    private final UpdateCoalescer coalescer = new UpdateCoalescer(System::nanoTime);
    private final Object[] locks = new Object[STRIPES];
    private final PresenceMetrics metrics;
    private final StatsMode stats;
    private final MemberEventBatcher batcher;
    private final MemberViews memberViews = new MemberViews();

    /**
     * @param scheduler runs deferred {@code presence:stats} broadcasts and the flushes of batched member events
     *                  (short tasks; an event loop will do)
     */
    public PresenceService(Hub hub, PresenceStore store, Clock clock, MeterRegistry meters,
                           ScheduledExecutorService scheduler) {
        this.hub = hub;
        this.store = store;
        this.clock = clock;
        this.metrics = new PresenceMetrics(meters, own::size);
        this.stats = new StatsMode(scheduler, this::broadcastStats);
        this.batcher = new MemberEventBatcher(scheduler, this::lock, this::broadcast, System::nanoTime);
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new Object();
        }
        store.onRemoteChange(this::announceRemote);
    }

    /**
     * Tells this node's subscribers what another node's write did (a cluster store reports it). A remote expiry
     * of one of this node's own connections (its clients went silent, and another node's sweep came first)
     * also ends the entry here, so a later heartbeat reports {@code not_found} as it would on one node.
     */
    private void announceRemote(PresenceChange change, long leftAt) {
        String channel = change.channel();
        synchronized (lock(channel)) {
            for (PresenceEntry gone : change.before()) {
                if (change.after().stream().noneMatch(e -> e.connectionId().equals(gone.connectionId()))
                        && own.remove(gone.key()) != null) {
                    Set<String> joined = joinedBySession.get(gone.connectionId());
                    if (joined != null) {
                        joined.remove(channel);
                    }
                }
            }
            announce(change, null, policy(channel), leftAt);
        }
    }

    /** The presence policy of a (valid) channel name. */
    public PresenceConfig policy(String channel) {
        return hub.policy(channel).presence();
    }

    /**
     * Adds (or refreshes) the session's entry, tells the other subscribers, and answers the joiner with the
     * member list or, in a crowded channel, the counts. {@code state} null keeps the state of an earlier join.
     */
    public void join(Session session, String channel, JsonNode state, JsonNode requestId) {
        join(session, channel, state, requestId, session::send, failure -> fail(session, requestId, "presence:join", failure));
    }

    /**
     * As {@link #join}, for a transport that answers in its own frames (STOMP): the joiner's {@code presence:sync}
     * (or {@code presence:stats}) goes to {@code reply}, a store failure to {@code failed}. The reply is handed
     * over at the point where the native one is sent, so it keeps the same order with the channel's events.
     */
    public void join(Session session, String channel, JsonNode state, JsonNode requestId, Consumer<ObjectNode> reply,
                     Consumer<Throwable> failed) {
        PresenceConfig policy = policy(channel);
        long now = clock.millis();
        PresenceKey key = new PresenceKey(channel, session.id());
        synchronized (lock(channel)) {
            PresenceEntry previous = own.get(key);
            JsonNode newState = state != null ? state
                    : previous != null ? previous.state() : FrameCodec.JSON.createObjectNode();
            PresenceEntry entry = new PresenceEntry(channel, session.userId(), session.id(), newState,
                    PresenceEntry.Status.online, now, now, now + policy.ttl().toMillis());
            own.put(key, entry);
            joinedBySession.computeIfAbsent(session.id(), id -> ConcurrentHashMap.newKeySet()).add(channel);
            store.put(entry)
                    .thenCompose(change -> {
                        announce(change, session, policy, now);
                        return snapshot(channel, policy, requestId);
                    })
                    .thenAccept(reply)
                    .exceptionally(failure -> {
                        failed.accept(failure);
                        return null;
                    });
        }
    }

    /**
     * Answers a subscriber that watches without joining with the same {@code presence:sync} (or
     * {@code presence:stats}) a joiner gets, ordered with the channel's presence events like a join's reply.
     */
    public void query(Session session, String channel, JsonNode requestId) {
        synchronized (lock(channel)) {
            snapshot(channel, policy(channel), requestId)
                    .thenAccept(session::send)
                    .exceptionally(failure -> fail(session, requestId, "presence:get", failure));
        }
    }

    /**
     * Records client activity: new state (null keeps it) and status (null means {@code online}, since the client
     * just did something). The broadcast is coalesced; throws {@code not_found} when the session has not joined.
     */
    public void update(Session session, String channel, JsonNode state, PresenceEntry.Status status) {
        PresenceConfig policy = policy(channel);
        long now = clock.millis();
        PresenceEntry updated = own.computeIfPresent(new PresenceKey(channel, session.id()), (k, current) ->
                current.active(state != null ? state : current.state(),
                        status != null ? status : PresenceEntry.Status.online, now, now + policy.ttl().toMillis()));
        if (updated == null) {
            throw notJoined(channel);
        }
        long interval = TimeUnit.SECONDS.toNanos(1) / policy.updateRate();
        EventLoop loop = session.transport().eventLoop();
        coalescer.submit(channel, session.userId(), session.id(), session, interval,
                (delay, task) -> loop.schedule(task, delay, TimeUnit.NANOSECONDS),
                this::flush);
    }

    /** Keeps the session's entry alive for another TTL; throws {@code not_found} when it is not (or no longer) joined. */
    public void heartbeat(Session session, String channel) {
        long now = clock.millis();
        long expiresAt = now + policy(channel).ttl().toMillis();
        PresenceKey key = new PresenceKey(channel, session.id());
        PresenceEntry touched = own.computeIfPresent(key, (k, current) -> current.seen(now, expiresAt));
        if (touched == null) {
            throw notJoined(channel);
        }
        store.touch(key, now, expiresAt).exceptionally(failure -> {
            LOG.warn("presence heartbeat on {} failed: {}", channel, failure.toString());
            return false;
        });
    }

    /** Removes the session's entry; throws {@code not_found} when it had none. */
    public void leave(Session session, String channel) {
        if (!leaveIfJoined(session, channel)) {
            throw notJoined(channel);
        }
    }

    /** Removes the session's entry if it has one (on unsubscribe); returns whether it had. */
    public boolean leaveIfJoined(Session session, String channel) {
        Set<String> joined = joinedBySession.get(session.id());
        if (joined != null) {
            joined.remove(channel);
        }
        return remove(session, channel);
    }

    /** Removes every entry of a session that ended. */
    public void leaveAll(Session session) {
        Set<String> joined = joinedBySession.remove(session.id());
        if (joined != null) {
            joined.forEach(channel -> remove(session, channel));
        }
    }

    /**
     * Puts a member that is not a native session (an editor on the y-websocket endpoint, connection id of its
     * own): the first call joins it, a call with a new state is activity (an update), and a call with the same
     * state only keeps the entry alive for another TTL, like a heartbeat. Every subscriber hears the change.
     * Does nothing when presence is disabled for the channel's namespace.
     */
    public void putMember(String channel, String userId, String connectionId, JsonNode state) {
        PresenceConfig policy = policy(channel);
        if (!policy.enabled()) {
            return;
        }
        long now = clock.millis();
        long expiresAt = now + policy.ttl().toMillis();
        PresenceKey key = new PresenceKey(channel, connectionId);
        synchronized (lock(channel)) {
            PresenceEntry previous = own.get(key);
            if (previous != null && previous.state().equals(state)) {
                own.put(key, previous.seen(now, expiresAt));
                store.touch(key, now, expiresAt).exceptionally(failure -> {
                    logFailure("presence refresh", channel, failure);
                    return false;
                });
                return;
            }
            PresenceEntry entry = new PresenceEntry(channel, userId, connectionId, state, PresenceEntry.Status.online,
                    now, now, expiresAt);
            own.put(key, entry);
            store.put(entry).thenAccept(change -> announce(change, null, policy, now))
                    .exceptionally(failure -> logFailure("presence put", channel, failure));
        }
    }

    /** Removes a member put with {@link #putMember} (its connection closed); every subscriber hears the leave. */
    public void removeMember(String channel, String connectionId) {
        removeEntry(channel, connectionId, null);
    }

    private boolean remove(Session session, String channel) {
        return removeEntry(channel, session.id(), session);
    }

    private boolean removeEntry(String channel, String connectionId, Subscriber exclude) {
        PresenceConfig policy = policy(channel);
        long now = clock.millis();
        PresenceKey key = new PresenceKey(channel, connectionId);
        synchronized (lock(channel)) {
            if (own.remove(key) == null) {
                return false;
            }
            store.remove(key, now)
                    .thenAccept(change -> announce(change, exclude, policy, now))
                    .exceptionally(failure -> logFailure("presence:leave", channel, failure));
        }
        return true;
    }

    /** Writes the latest state of coalesced connections and broadcasts the merged result once. */
    private void flush(String channel, String userId, List<String> connectionIds, Subscriber sender) {
        PresenceConfig policy = policy(channel);
        long now = clock.millis();
        synchronized (lock(channel)) {
            CompletionStage<PresenceChange> chain = CompletableFuture.completedFuture(null);
            for (String connectionId : connectionIds) {
                PresenceEntry latest = own.get(new PresenceKey(channel, connectionId));
                if (latest == null) {
                    continue; // left before the flush: its leave was already announced
                }
                chain = chain.thenCompose(previous -> store.put(latest).thenApply(change -> previous == null ? change
                        : new PresenceChange(channel, userId, previous.before(), change.after(), change.counts())));
            }
            chain.thenAccept(change -> {
                if (change != null) {
                    announce(change, sender, policy, now);
                }
            }).exceptionally(failure -> logFailure("presence:update", channel, failure));
        }
    }

    /**
     * Applies time: entries whose TTL passed go offline (a silent client, a crashed node), and this node's
     * connections idle past {@code awayAfter} turn away. Safe to call from any thread; never throws.
     */
    public void sweep() {
        try {
            long now = clock.millis();
            store.due(now, EXPIRE_BATCH).thenAccept(keys -> keys.forEach(key -> expire(key, now)))
                    .exceptionally(failure -> logFailure("presence sweep", "*", failure));
            for (PresenceEntry entry : own.values()) {
                if (idleTooLong(entry, now)) {
                    markAway(entry.key(), now);
                }
            }
            coalescer.sweep();
        } catch (RuntimeException e) {
            LOG.error("presence sweep failed", e);
        }
    }

    private void expire(PresenceKey key, long now) {
        PresenceConfig policy = policy(key.channel());
        synchronized (lock(key.channel())) {
            store.expire(key, now).thenAccept(change -> {
                if (change.isNoop()) {
                    return;
                }
                metrics.expired();
                if (own.remove(key) != null) {
                    Set<String> joined = joinedBySession.get(key.connectionId());
                    if (joined != null) {
                        joined.remove(key.channel());
                    }
                }
                long lastSeen = change.before().stream().mapToLong(PresenceEntry::lastSeen).max().orElse(now);
                announce(change, null, policy, lastSeen);
            }).exceptionally(failure -> logFailure("presence expiry", key.channel(), failure));
        }
    }

    private boolean idleTooLong(PresenceEntry entry, long now) {
        return entry.status() == PresenceEntry.Status.online
                && now - entry.lastActive() >= policy(entry.channel()).awayAfter().toMillis();
    }

    private void markAway(PresenceKey key, long now) {
        PresenceConfig policy = policy(key.channel());
        synchronized (lock(key.channel())) {
            PresenceEntry current = own.get(key);
            if (current == null || !idleTooLong(current, now)) {
                return;
            }
            PresenceEntry away = current.withStatus(PresenceEntry.Status.away);
            if (!own.replace(key, current, away)) {
                return; // activity arrived meanwhile
            }
            store.put(away).thenAccept(change -> announce(change, null, policy, now))
                    .exceptionally(failure -> logFailure("presence away", key.channel(), failure));
        }
    }

    /**
     * Broadcasts what a store write did to a user. Runs under the channel's lock (taken here too, because a
     * networked store completes on its own thread), so the mode switch and the events around it stay in order.
     */
    private void announce(PresenceChange change, Subscriber exclude, PresenceConfig policy, long leftAt) {
        if (change.isNoop()) {
            return;
        }
        String channel = change.channel();
        synchronized (lock(channel)) {
            StatsMode.Step step = stats.observe(channel, change.counts(), policy);
            if (step == StatsMode.Step.LEFT) {
                if (policy.joinLeave()) {
                    resync(channel); // the list includes this change
                }
                return;
            }
            if (step.inStats() && change.membershipChanged()) {
                if (policy.joinLeave()) {
                    stats.changed(channel, policy);
                }
                return;
            }
            announceMember(change, exclude, policy, leftAt);
        }
    }

    /**
     * Member mode (or a state change in stats mode): the join, leave or update of one member, at once or, in a
     * busy channel, batched with the channel's other member events of the {@code batchWindow}.
     */
    private void announceMember(PresenceChange change, Subscriber exclude, PresenceConfig policy, long leftAt) {
        if (change.joined()) {
            if (policy.joinLeave()) {
                batch(change, MemberEventBatcher.Kind.JOIN, UserView.of(change.after()), exclude, policy);
            }
        } else if (change.left()) {
            if (change.counts().users() == 0) {
                memberViews.forget(change.channel());
            }
            if (policy.joinLeave()) {
                batch(change, MemberEventBatcher.Kind.LEAVE, UserView.offline(change.userId(), leftAt), exclude, policy);
            }
        } else {
            batch(change, MemberEventBatcher.Kind.UPDATE, UserView.of(change.after()), exclude, policy);
        }
    }

    private void batch(PresenceChange change, MemberEventBatcher.Kind kind, ObjectNode payload, Subscriber exclude,
                       PresenceConfig policy) {
        batcher.submit(change.channel(), change.userId(), kind, payload, exclude, policy.batchWindow());
    }

    /** Tells the subscribers of a crowded channel its current counts (a deferred call reads them when it runs). */
    private void broadcastStats(String channel) {
        store.counts(channel).thenAccept(counts -> {
            synchronized (lock(channel)) {
                if (stats.inStats(channel)) { // not when the channel shrank meanwhile: its member list went out
                    batcher.flush(channel);
                    broadcast(channel, "presence:stats", countsPayload(counts), null);
                }
            }
        }).exceptionally(failure -> logFailure("presence:stats", channel, failure));
    }

    /**
     * The channel left stats mode: its subscribers missed the joins and leaves meanwhile, so they get the member
     * list once, encoded once for all of them. A store read completes in order with this node's writes, so
     * events of later writes follow it.
     */
    private void resync(String channel) {
        store.members(channel).thenAccept(members -> {
            synchronized (lock(channel)) {
                if (!stats.inStats(channel)) { // crowded again meanwhile: counts follow instead
                    ObjectNode payload = FrameCodec.JSON.createObjectNode();
                    payload.set("users", memberViews.list(channel, members));
                    batcher.flush(channel);
                    broadcast(channel, "presence:sync", payload, null);
                }
            }
        }).exceptionally(failure -> logFailure("presence:sync", channel, failure));
    }

    private static ObjectNode countsPayload(PresenceCounts counts) {
        return FrameCodec.JSON.createObjectNode().put("users", counts.users()).put("connections", counts.connections());
    }

    private void broadcast(String channel, String type, ObjectNode payload, Subscriber exclude) {
        metrics.event(type);
        // Local only: other nodes announce each change themselves when the shared store relays it to them.
        hub.broadcastLocal(channel, event(type, channel, payload), exclude);
    }

    /**
     * The joiner's reply: {@code presence:sync} with every member, or {@code presence:stats} when the channel is
     * in stats mode (then the joiner will not hear of joins and leaves, so a list would go stale at once).
     */
    private CompletionStage<ObjectNode> snapshot(String channel, PresenceConfig policy, JsonNode requestId) {
        return store.counts(channel).thenCompose(counts -> {
            if (countsOnly(channel, counts, policy)) {
                ObjectNode reply = FrameCodec.envelope("presence:stats", requestId, channel);
                reply.set("payload", countsPayload(counts));
                return CompletableFuture.completedFuture(reply);
            }
            return store.members(channel).thenApply(members -> {
                ObjectNode sync = FrameCodec.envelope("presence:sync", requestId, channel);
                sync.putObject("payload").set("users", memberViews.list(channel, members));
                return sync;
            });
        });
    }

    /** The members of a channel (unless it is in stats mode) and its counts, for the HTTP API. */
    public CompletionStage<ObjectNode> describeChannel(String channel) {
        PresenceConfig policy = policy(channel);
        return store.counts(channel).thenCompose(counts -> {
            ObjectNode body = FrameCodec.JSON.createObjectNode().put("channel", channel);
            body.putObject("counts").put("users", counts.users()).put("connections", counts.connections());
            if (countsOnly(channel, counts, policy)) {
                return CompletableFuture.completedFuture(body);
            }
            return store.members(channel).thenApply(members -> {
                body.set("users", memberViews.list(channel, members));
                return body;
            });
        });
    }

    /** Whether a channel is answered with counts: in stats mode, or above the limit (no change seen here yet). */
    private boolean countsOnly(String channel, PresenceCounts counts, PresenceConfig policy) {
        return stats.inStats(channel) || counts.users() > policy.syncLimit();
    }

    /** A user's global status (online if online anywhere, away if only away, else offline) and last seen time. */
    public CompletionStage<ObjectNode> describeUser(String userId) {
        return store.user(userId).thenApply(user -> {
            boolean online = user.entries().stream().anyMatch(e -> e.status() == PresenceEntry.Status.online);
            String status = user.entries().isEmpty() ? "offline" : online ? "online" : "away";
            ObjectNode body = FrameCodec.JSON.createObjectNode().put("id", userId).put("status", status);
            if (user.lastSeen() >= 0) {
                body.put("lastSeen", user.lastSeen());
            } else {
                body.putNull("lastSeen");
            }
            ObjectNode channels = body.putObject("channels");
            for (PresenceEntry e : user.entries()) {
                if (e.status() == PresenceEntry.Status.online || !channels.has(e.channel())) {
                    channels.put(e.channel(), e.status().name());
                }
            }
            return body;
        });
    }

    private static ObjectNode event(String type, String channel, ObjectNode payload) {
        ObjectNode frame = FrameCodec.envelope(type, null, channel);
        frame.set("payload", payload);
        return frame;
    }

    private Object lock(String channel) {
        return locks[(channel.hashCode() & Integer.MAX_VALUE) % STRIPES];
    }

    private static ProtocolException notJoined(String channel) {
        return new ProtocolException(ErrorCode.NOT_FOUND, "not joined to the presence of " + channel);
    }

    private static Void fail(Session session, JsonNode requestId, String what, Throwable failure) {
        LOG.error("{} failed for session {}", what, session.id(), failure);
        session.sendError(requestId, ErrorCode.UNAVAILABLE, what + " failed: presence store unavailable");
        return null;
    }

    private static Void logFailure(String what, String channel, Throwable failure) {
        LOG.error("{} on {} failed", what, channel, failure);
        return null;
    }
}
