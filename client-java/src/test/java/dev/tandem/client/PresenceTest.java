package dev.tandem.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.CloseCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
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

    private static ObjectNode state(String name) {
        return Frames.JSON.createObjectNode().put("name", name);
    }

    private static List<String> ids(List<PresenceMember> members) {
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

        server.server.sessions().disconnectUser("alice", CloseCode.POLICY, "test drop");

        await().atMost(WAIT).until(() -> heard.leaves.contains("alice"));
        await().atMost(WAIT).until(() -> heard.joins.contains("alice"));
        await().atMost(WAIT).until(() -> ids(alice.members()).equals(List.of("alice", "bob")));
        assertThat(bob.member("alice")).hasValueSatisfying(
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

    /** Records what a presence listener heard. */
    static final class Recorder implements PresenceListener {
        final List<String> joins = new CopyOnWriteArrayList<>();
        final List<String> updates = new CopyOnWriteArrayList<>();
        final List<String> leaves = new CopyOnWriteArrayList<>();
        final List<String> errors = new CopyOnWriteArrayList<>();

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
        public void onError(TandemException error) {
            errors.add(error.code());
        }
    }
}
