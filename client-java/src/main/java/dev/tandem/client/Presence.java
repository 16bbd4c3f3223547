package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * This client's presence in one channel and the channel's members (docs/presence.md): {@link #join} with a
 * state, {@link #update} it, {@link #setStatus} online or away, {@link #leave}; {@link #members()} is the
 * current member list and {@link PresenceListener}s hear sync, join, update, leave and stats.
 *
 * <p>Design (as the JS SDK's {@code Presence}). The server refuses {@code presence:join} without a
 * subscription, so joining attaches to the channel's subscription (shared with the application's own, if
 * any). The server forgets a connection's presence when the connection drops, so after every (re)subscribe
 * the helper joins again with its current state and status and takes the {@code presence:sync} reply as the
 * new truth; the events that follow carry whole members and are applied in order on top of it (a join of
 * someone listed, or the leave of someone absent, is harmless). Under load the server batches them into one
 * {@code presence:diff} per channel (one entry per user, its net change): it is applied the same way
 * ({@link PresenceDiff}), {@link #members()} changes once, and listeners still hear one callback per member.
 * A crowded channel (stats mode, docs/presence.md) sends counts instead of joins and leaves: a
 * {@code presence:stats}, reply or broadcast, empties the list and sets {@link #stats()}; until the channel
 * shrinks back and broadcasts its member list ({@code presence:sync} without {@code requestId}, which replaces
 * the list and ends stats mode here too), joins and updates are only heard, not listed, since nobody's leave
 * is sent and a list built from them would only grow.
 * The SDK heartbeats every {@link Options#heartbeatInterval} while joined and connected; a heartbeat answered
 * {@code not_found} (the entry expired) and this user's own leave while still joined (single or in a diff)
 * both trigger a rejoin. All state lives on the client's event thread; {@link #members()} is an immutable
 * snapshot.
 */
public final class Presence {
    private static final Comparator<PresenceMember> BY_NAME =
            Comparator.comparing(PresenceMember::name).thenComparing(PresenceMember::id);

    private final TandemClient client;
    private final String channel;
    private final Options options;
    private final List<PresenceListener> listeners = new CopyOnWriteArrayList<>();
    private final SubscriptionListener events = new Events();

    // Event thread only.
    private final Map<String, PresenceMember> byId = new LinkedHashMap<>();
    private final List<CompletableFuture<List<PresenceMember>>> waiting = new ArrayList<>();
    private ObjectNode state = Frames.JSON.createObjectNode();
    private Subscription subscription;
    private ScheduledFuture<?> heartbeat;
    private boolean joined;

    private volatile List<PresenceMember> members = List.of();
    private volatile PresenceStats stats;
    private volatile PresenceStatus status = PresenceStatus.OFFLINE;

    Presence(TandemClient client, String channel, Options options) {
        this.client = client;
        this.channel = Objects.requireNonNull(channel, "channel");
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * How presence behaves.
     *
     * @param heartbeatInterval how often the SDK sends {@code presence:heartbeat} while joined; keep it well
     *                          under the namespace's presence {@code ttl} (default 60 s)
     */
    public record Options(Duration heartbeatInterval) {
        public static final Options DEFAULT = new Options(Duration.ofSeconds(30));

        public Options {
            if (heartbeatInterval.isNegative() || heartbeatInterval.isZero()) {
                throw new IllegalArgumentException("heartbeatInterval must be positive");
            }
        }
    }

    public String channel() {
        return channel;
    }

    public void addListener(PresenceListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(PresenceListener listener) {
        listeners.remove(listener);
    }

    /** Everyone present, this user included, sorted by name; empty before joining or above {@code syncLimit}. */
    public List<PresenceMember> members() {
        return members;
    }

    public Optional<PresenceMember> member(String userId) {
        return members.stream().filter(m -> m.id().equals(userId)).findFirst();
    }

    /**
     * The latest counts while the channel is in stats mode (it crossed its {@code syncLimit}: the server sent
     * {@code presence:stats}), or null while it lists its members.
     */
    public PresenceStats stats() {
        return stats;
    }

    /** This connection's own status: {@link PresenceStatus#OFFLINE} until joined and after leaving. */
    public PresenceStatus status() {
        return status;
    }

    /** Joins without a state (an empty object). */
    public CompletableFuture<List<PresenceMember>> join() {
        return join(Frames.JSON.createObjectNode());
    }

    /**
     * Joins with {@code state} (a JSON object, e.g. {@code {"name": "Ann", "color": "#f80"}}), subscribing to
     * the channel if needed; completes with the members once the server listed them, after the listeners heard
     * that sync (or the refusal: the future fails after {@link PresenceListener#onError}), so code that waits on
     * it sees what they saw. Joining again replaces the state.
     */
    public CompletableFuture<List<PresenceMember>> join(JsonNode state) {
        ObjectNode copy = requireObject(state);
        CompletableFuture<List<PresenceMember>> synced = new CompletableFuture<>();
        client.executor().execute(() -> {
            this.state = copy;
            waiting.add(synced);
            if (!joined) {
                joined = true;
                status = PresenceStatus.ONLINE;
                long every = options.heartbeatInterval.toMillis();
                heartbeat = client.scheduler().scheduleAtFixedRate(this::beat, every, every, TimeUnit.MILLISECONDS);
                subscription = client.attach(channel, events);
                if (!subscription.live) {
                    return; // the subscription's 'subscribed' joins
                }
            }
            rejoin();
        });
        return synced;
    }

    /** Replaces this connection's state; others see it at once (coalesced by the server under load). */
    public void update(JsonNode state) {
        ObjectNode copy = requireObject(state);
        client.executor().execute(() -> {
            this.state = copy;
            if (joined) {
                ObjectNode command = Frames.command("presence:update", channel);
                command.putObject("payload").set("state", copy.deepCopy());
                client.sendNow(command, this::refused);
            }
        });
    }

    /** Sets this connection's status by hand: {@link PresenceStatus#ONLINE} or {@link PresenceStatus#AWAY}. */
    public void setStatus(PresenceStatus next) {
        if (next == PresenceStatus.OFFLINE) {
            throw new IllegalArgumentException("leave() to go offline");
        }
        client.executor().execute(() -> {
            if (!joined || status == next) {
                return;
            }
            status = next;
            ObjectNode command = Frames.command("presence:update", channel);
            command.putObject("payload").put("status", next.wire());
            client.sendNow(command, this::refused);
        });
    }

    /** Leaves the channel's presence and releases the subscription joining took (if nobody else uses it). */
    public void leave() {
        client.executor().execute(() -> {
            if (!joined) {
                return;
            }
            joined = false;
            heartbeat.cancel(false);
            client.sendNow(Frames.command("presence:leave", channel), null);
            client.detach(subscription, events);
            byId.clear();
            members = List.of();
            stats = null;
            status = PresenceStatus.OFFLINE;
            failWaiting(new TandemException(TandemException.CLOSED, "left " + channel));
        });
    }

    private void rejoin() {
        if (!joined || subscription == null || !subscription.live) {
            return;
        }
        ObjectNode command = Frames.command("presence:join", channel);
        command.putObject("payload").set("state", state.deepCopy());
        client.request(command).whenCompleteAsync(this::onJoinReply, client.executor());
    }

    private void onJoinReply(JsonNode reply, Throwable error) {
        if (!joined) {
            return;
        }
        if (error != null) {
            TandemException refusal = error instanceof TandemException t ? t
                    : new TandemException("internal", String.valueOf(error.getMessage()), 0, error);
            if (!isConnectionLoss(refusal)) {
                tell(l -> l.onError(refusal));
                failWaiting(refusal);
            }
            return;
        }
        if (status == PresenceStatus.AWAY) {
            ObjectNode away = Frames.command("presence:update", channel);
            away.putObject("payload").put("status", PresenceStatus.AWAY.wire());
            client.sendNow(away, this::refused);
        }
        replace(reply);
        tellReplaced();
        completeWaiting();
    }

    /** Takes a member list ({@code presence:sync}) or counts ({@code presence:stats}) as the new truth. */
    private void replace(JsonNode frame) {
        byId.clear();
        JsonNode payload = frame.path("payload");
        if ("presence:stats".equals(frame.path("type").asText())) {
            stats = new PresenceStats(payload.path("users").asLong(), payload.path("connections").asLong());
        } else {
            stats = null;
            PresenceMember.listOf(payload.get("users")).forEach(m -> byId.put(m.id(), m));
        }
        publish();
    }

    private void tellReplaced() {
        PresenceStats counts = stats;
        List<PresenceMember> now = members;
        if (counts != null) {
            tell(l -> l.onStats(counts));
        } else {
            tell(l -> l.onSync(now));
        }
    }

    private void onPresenceEvent(JsonNode frame) {
        if (!joined) {
            return;
        }
        String type = frame.path("type").asText();
        if ("presence:sync".equals(type) || "presence:stats".equals(type)) {
            // Broadcasts: counts while the channel is crowded, its member list once it no longer is.
            replace(frame);
            tellReplaced();
            return;
        }
        PresenceDiff diff = PresenceDiff.of(frame);
        if (diff == null) {
            return;
        }
        apply(diff);
        diff.joins().forEach(m -> tell(l -> l.onJoin(m)));
        diff.updates().forEach(m -> tell(l -> l.onUpdate(m)));
        diff.leaves().forEach(gone -> tell(l -> l.onLeave(gone.userId(), gone.lastSeen())));
        if (diff.leaves().stream().anyMatch(gone -> gone.userId().equals(client.userId()))) {
            rejoin(); // our own entry expired while we were connected (a stalled process): join again
        }
    }

    /** Changes the list by {@code diff}, publishing it once however many members a diff carries. */
    private void apply(PresenceDiff diff) {
        // In stats mode nobody's leave is sent, so a list built from joins and updates would only grow.
        boolean listed = stats == null;
        if (listed) {
            diff.joins().forEach(m -> byId.put(m.id(), m));
            diff.updates().forEach(m -> byId.put(m.id(), m));
        }
        diff.leaves().forEach(l -> byId.remove(l.userId()));
        if (listed || !diff.leaves().isEmpty()) {
            publish();
        }
    }

    private void beat() {
        if (joined && subscription != null && subscription.live) {
            client.sendNow(Frames.command("presence:heartbeat", channel), this::refused);
        }
    }

    /** A one-way presence command was refused; {@code not_found} means our entry expired: join again. */
    private void refused(TandemException error) {
        if ("not_found".equals(error.code())) {
            rejoin();
            return;
        }
        tell(l -> l.onError(error));
    }

    private void publish() {
        List<PresenceMember> list = new ArrayList<>(byId.values());
        list.sort(BY_NAME);
        members = List.copyOf(list);
    }

    private void completeWaiting() {
        List<PresenceMember> now = members;
        List<CompletableFuture<List<PresenceMember>>> done = new ArrayList<>(waiting);
        waiting.clear();
        done.forEach(f -> f.complete(now));
    }

    private void failWaiting(TandemException error) {
        List<CompletableFuture<List<PresenceMember>>> done = new ArrayList<>(waiting);
        waiting.clear();
        done.forEach(f -> f.completeExceptionally(error));
    }

    private void tell(Consumer<PresenceListener> callback) {
        Callbacks.each(listeners, callback, "presence listener of " + channel);
    }

    private static boolean isConnectionLoss(TandemException error) {
        // The next 'subscribed' joins again; only a closed client ends the wait.
        return TandemException.DISCONNECTED.equals(error.code()) || TandemException.TIMEOUT.equals(error.code());
    }

    private static ObjectNode requireObject(JsonNode state) {
        if (state == null || !state.isObject()) {
            throw new IllegalArgumentException("presence state must be a JSON object");
        }
        return (ObjectNode) state.deepCopy();
    }

    /** The channel's events, through the shared subscription. */
    private final class Events implements SubscriptionListener {
        @Override
        public void onPublication(Publication publication) {
        }

        @Override
        public void onSubscribed(SubscribedEvent event) {
            rejoin();
        }

        @Override
        public void onEvent(JsonNode frame) {
            onPresenceEvent(frame);
        }

        @Override
        public void onError(TandemException error) {
            // The subscription was refused (and dropped): there is nothing to be present in.
            joined = false;
            heartbeat.cancel(false);
            status = PresenceStatus.OFFLINE;
            tell(l -> l.onError(error));
            failWaiting(error);
        }
    }
}
