package dev.tandem.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.CloseCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class PresenceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private RealServer server;

    @BeforeEach
    void start() {
        server = RealServer.start(Map.of(
                "namespaces.brief.presence.ttl", "2s",
                "namespaces.quiet.presence.enabled", "false"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private TandemClient client(String user) {
        return server.connect(user);
    }

    /** A client of {@code user} whose inbound frames pass through {@code tap} first. */
    private TandemClient tapped(String user, InboundTap tap) {
        return server.connect(TandemClient.builder(server.ws()).devUser(user).tap(tap));
    }

    static ObjectNode state(String name) {
        return Frames.JSON.createObjectNode().put("name", name);
    }

    static List<String> ids(List<PresenceMember> members) {
        return members.stream().map(PresenceMember::id).toList();
    }

    @Test
    void joiningListsEveryMemberAndOthersHearJoinUpdateAndLeave() {
        Presence alice = client("alice").presence("room:p");
        Recorder heard = new Recorder();
        alice.addListener(heard);
        assertThat(ids(alice.join(state("Alice")).join())).containsExactly("alice");

        Presence bob = client("bob").presence("room:p");
        List<PresenceMember> seenByBob = bob.join(state("Bob")).join();
        await().atMost(WAIT).until(() -> heard.joins.contains("bob"));
        bob.update(state("Bobby").put("cursor", 7));
        await().atMost(WAIT).until(() -> alice.member("bob").map(m -> m.state().path("cursor").asInt()).orElse(0) == 7);
        bob.leave();
        await().atMost(WAIT).until(() -> heard.leaves.contains("bob"));

        assertThat(ids(seenByBob)).containsExactly("alice", "bob");
        assertThat(seenByBob.get(0).name()).isEqualTo("Alice");
        assertThat(heard.updates).contains("Bobby");
        assertThat(ids(alice.members())).containsExactly("alice");
        assertThat(bob.status()).isEqualTo(PresenceStatus.OFFLINE);
        assertThat(alice.status()).isEqualTo(PresenceStatus.ONLINE);
    }

    @Test
    void aMemberWhoseConnectionDroppedIsPresentAgainAfterTheReconnectWithTheSameState() {
        TandemClient aliceClient = client("alice");
        Presence alice = aliceClient.presence("room:back");
        alice.join(state("Alice").put("color", "#f80")).join();
        Presence bob = client("bob").presence("room:back");
        Recorder heard = new Recorder();
        bob.addListener(heard);
        bob.join(state("Bob")).join();

        List<ConnectionStatus> aliceStatus = new CopyOnWriteArrayList<>();
        aliceClient.onStatus((status, reason) -> aliceStatus.add(status));

        server.server.sessions().disconnectUser("alice", CloseCode.POLICY, "test drop");

        // Bob hears her leave and her join, or (when she is back within one batchWindow) only the join that
        // nets them out; either way the SDK must have joined again with her state.
        await().atMost(WAIT).until(() -> aliceStatus.contains(ConnectionStatus.RECONNECTING)
                && aliceClient.status() == ConnectionStatus.CONNECTED);
        await().atMost(WAIT).until(() -> heard.joins.contains("alice"));
        await().atMost(WAIT).until(() -> ids(alice.members()).equals(List.of("alice", "bob")));
        assertThat(bob.member("alice")).hasValueSatisfying(
                m -> assertThat(m.state().path("color").asText()).isEqualTo("#f80"));
        List<PresenceMember> seenByCarol = client("carol").presence("room:back").join(state("Carol")).join();
        assertThat(seenByCarol.stream().filter(m -> m.id().equals("alice")).findFirst()).hasValueSatisfying(
                m -> assertThat(m.state().path("color").asText()).isEqualTo("#f80"));
    }

    @Test
    void theSdkHeartbeatKeepsAMemberPresentPastTheTtlWhileASilentOneExpires() {
        Presence watcher = client("watcher").presence("brief:room", new Presence.Options(Duration.ofMillis(300)));
        Recorder heard = new Recorder();
        watcher.addListener(heard);
        watcher.join(state("Watcher")).join();
        client("beating").presence("brief:room", new Presence.Options(Duration.ofMillis(300)))
                .join(state("Beating")).join();
        client("silent").presence("brief:room", new Presence.Options(Duration.ofHours(1)))
                .join(state("Silent")).join();

        // The namespace's ttl is 2 s: the silent member's entry expires (and its SDK joins again when told).
        await().atMost(WAIT).until(() -> heard.leaves.contains("silent"));
        await().atMost(WAIT).until(() -> heard.joins.stream().filter("silent"::equals).count() >= 2);

        assertThat(heard.leaves).doesNotContain("beating", "watcher");
        assertThat(ids(watcher.members())).contains("beating", "watcher");
    }

    @Test
    void awayStatusSetByHandReachesTheOthers() {
        Presence alice = client("alice").presence("room:away");
        alice.join(state("Alice")).join();
        Presence bob = client("bob").presence("room:away");
        bob.join(state("Bob")).join();

        bob.setStatus(PresenceStatus.AWAY);

        await().atMost(WAIT).until(() -> alice.member("bob").map(PresenceMember::status).orElse(null) == PresenceStatus.AWAY);
        assertThat(bob.status()).isEqualTo(PresenceStatus.AWAY);
    }

    @Test
    void presenceSharesTheApplicationsSubscriptionAndLeavingKeepsIt() {
        TandemClient alice = client("alice");
        List<Publication> received = new CopyOnWriteArrayList<>();
        Subscription own = alice.subscribe("room:shared", received::add);
        own.subscribed().join();
        Presence presence = alice.presence("room:shared");

        presence.join(state("Alice")).join();
        presence.leave();
        alice.publish("room:shared", Frames.JSON.createObjectNode().put("n", 1)).join();

        await().atMost(WAIT).until(() -> received.size() == 1);
        assertThat(own.isActive()).isTrue();
    }

    @Test
    void joiningWhereThePresenceIsDisabledFailsWithForbidden() {
        Presence presence = client("alice").presence("quiet:room");
        Recorder heard = new Recorder();
        presence.addListener(heard);

        assertThatThrownBy(() -> presence.join(state("Alice")).join()).cause()
                .isInstanceOfSatisfying(TandemException.class, e -> assertThat(e.code()).isEqualTo("forbidden"));
        assertThat(heard.errors).contains("forbidden");
    }

    @Test
    void theServerApiListsTheMembersTheSdkJoined() {
        client("alice").presence("room:api").join(state("Alice")).join();
        ServerApiClient api = new ServerApiClient(server.http(), null);

        PresenceSnapshot snapshot = api.presence("room:api").join();
        UserPresence user = api.userPresence("alice").join();

        assertThat(snapshot.listed()).isTrue();
        assertThat(snapshot.counts()).isEqualTo(new PresenceStats(1, 1));
        assertThat(ids(snapshot.members())).containsExactly("alice");
        assertThat(snapshot.members().get(0).connections()).hasSize(1);
        assertThat(user.status()).isEqualTo(PresenceStatus.ONLINE);
        assertThat(user.channels()).containsEntry("room:api", PresenceStatus.ONLINE);
    }

    @Test
    void aPresenceDiffIsAppliedWholeBeforeEachMemberIsHeardAsAJoin() {
        // Whatever the server sends (single joins, or diffs of its own), alice gets the three joins as one diff.
        List<JsonNode> held = new ArrayList<>();
        InboundTap batch = frame -> {
            List<JsonNode> joins = entries(frame, "room:batch", "joins");
            if (joins.isEmpty()) {
                return List.of(frame);
            }
            synchronized (held) {
                held.addAll(joins);
                if (held.size() < 3) {
                    return List.of();
                }
                ObjectNode diff = diff("room:batch", List.copyOf(held), List.of(), List.of());
                held.clear();
                return List.of(diff);
            }
        };
        Presence alice = tapped("alice", batch).presence("room:batch");
        alice.join(state("Alice")).join();
        List<List<String>> listsAtEachJoin = new CopyOnWriteArrayList<>();
        Recorder heard = new Recorder() {
            @Override
            public void onJoin(PresenceMember member) {
                super.onJoin(member);
                listsAtEachJoin.add(ids(alice.members()));
            }
        };
        alice.addListener(heard);

        for (String user : List.of("bob", "carol", "dave")) {
            client(user).presence("room:batch").join(state(user)).join();
        }

        await().atMost(WAIT).until(() -> heard.joins.size() == 3);
        assertThat(heard.joins).containsExactly("bob", "carol", "dave");
        assertThat(listsAtEachJoin).containsOnly(List.of("alice", "bob", "carol", "dave"));
    }

    @Test
    void ourOwnLeaveInsideAPresenceDiffJoinsAgainLikeASingleLeave() {
        // Bob's update reaches alice in a diff that also says her own entry expired. (The server may have merged
        // it with bob's join into one "joins" entry, if both fell into its batch window.)
        AtomicBoolean injected = new AtomicBoolean();
        InboundTap expire = frame -> {
            List<JsonNode> joins = entries(frame, "room:self", "joins");
            List<JsonNode> updates = entries(frame, "room:self", "updates");
            boolean moved = Stream.concat(joins.stream(), updates.stream())
                    .anyMatch(m -> m.path("state").path("cursor").asInt() == 9);
            if (!moved || !injected.compareAndSet(false, true)) {
                return List.of(frame);
            }
            ObjectNode leave = Frames.JSON.createObjectNode().put("id", "alice").put("status", "offline")
                    .put("lastSeen", System.currentTimeMillis());
            return List.of(diff("room:self", joins, updates, List.of(leave)));
        };
        Presence alice = tapped("alice", expire).presence("room:self");
        alice.join(state("Alice")).join();
        Presence bob = client("bob").presence("room:self");
        bob.join(state("Bob")).join();
        Recorder heard = new Recorder();
        alice.addListener(heard);

        bob.update(state("Bob").put("cursor", 9));

        await().atMost(WAIT).until(() -> heard.syncs.contains(List.of("alice", "bob")));
        assertThat(heard.leaves).containsExactly("alice");
        assertThat(ids(alice.members())).containsExactly("alice", "bob");
        assertThat(alice.member("bob"))
                .hasValueSatisfying(m -> assertThat(m.state().path("cursor").asInt()).isEqualTo(9));
    }

    @Test
    void usersWhoJoinAndLeaveTogetherReachAWatcherInPresenceDiffBatchesEachOneListedAndHeard() {
        List<JsonNode> diffs = new CopyOnWriteArrayList<>();
        InboundTap watch = frame -> {
            if ("presence:diff".equals(frame.path("type").asText())) {
                diffs.add(frame);
            }
            return List.of(frame);
        };
        Presence alice = tapped("alice", watch).presence("room:many");
        alice.join(state("Alice")).join();
        Recorder heard = new Recorder();
        alice.addListener(heard);
        List<String> users = List.of("u1", "u2", "u3", "u4", "u5", "u6");
        List<TandemClient> clients = users.stream().map(this::client).toList();
        // Subscribed beforehand, each join is one command: they land within the server's batch window (20 ms).
        clients.forEach(c -> c.subscribe("room:many", p -> { }).subscribed().join());
        List<Presence> crowd = clients.stream().map(c -> c.presence("room:many")).toList();

        CompletableFuture.allOf(crowd.stream().map(p -> p.join(state(p.channel()))).toArray(CompletableFuture[]::new))
                .join();
        await().atMost(WAIT).until(() -> alice.members().size() == users.size() + 1);
        crowd.forEach(Presence::leave);
        await().atMost(WAIT).until(() -> ids(alice.members()).equals(List.of("alice")));

        assertThat(diffs).anyMatch(d -> d.path("payload").path("joins").size() > 1)
                .anyMatch(d -> d.path("payload").path("leaves").size() > 1);
        assertThat(heard.joins).containsExactlyInAnyOrderElementsOf(users);
        assertThat(heard.leaves).containsExactlyInAnyOrderElementsOf(users);
    }

    /** The entries of {@code list} ("joins", "updates", "leaves") a member event on {@code channel} carries. */
    private static List<JsonNode> entries(JsonNode frame, String channel, String list) {
        if (!channel.equals(frame.path("channel").asText()) || frame.has("requestId")) {
            return List.of();
        }
        String type = frame.path("type").asText();
        if ("presence:diff".equals(type)) {
            List<JsonNode> found = new ArrayList<>();
            frame.path("payload").path(list).forEach(found::add);
            return found;
        }
        String single = Map.of("joins", "presence:join", "updates", "presence:update", "leaves", "presence:leave")
                .get(list);
        return single.equals(type) ? List.of(frame.path("payload")) : List.of();
    }

    static ObjectNode diff(String channel, List<JsonNode> joins, List<JsonNode> updates, List<JsonNode> leaves) {
        ObjectNode frame = Frames.JSON.createObjectNode().put("type", "presence:diff").put("channel", channel)
                .put("timestamp", System.currentTimeMillis());
        ObjectNode payload = frame.putObject("payload");
        payload.putArray("joins").addAll(joins);
        payload.putArray("updates").addAll(updates);
        payload.putArray("leaves").addAll(leaves);
        return frame;
    }

    /** Records what a presence listener heard. */
    static class Recorder implements PresenceListener {
        final List<String> joins = new CopyOnWriteArrayList<>();
        final List<String> updates = new CopyOnWriteArrayList<>();
        final List<String> leaves = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();
        final List<List<String>> syncs = new CopyOnWriteArrayList<>();
        final List<PresenceStats> stats = new CopyOnWriteArrayList<>();

        @Override
        public void onSync(List<PresenceMember> members) {
            syncs.add(ids(members));
        }

        @Override
        public void onJoin(PresenceMember member) {
            joins.add(member.id());
        }

        @Override
        public void onUpdate(PresenceMember member) {
            updates.add(member.name());
        }

        @Override
        public void onLeave(String userId, long lastSeen) {
            leaves.add(userId);
        }

        @Override
        public void onStats(PresenceStats counts) {
            stats.add(counts);
        }

        @Override
        public void onError(TandemException error) {
            errors.add(error.code());
        }
    }
}
