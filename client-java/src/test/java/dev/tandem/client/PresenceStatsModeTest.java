package dev.tandem.client;

import static dev.tandem.client.PresenceTest.diff;
import static dev.tandem.client.PresenceTest.ids;
import static dev.tandem.client.PresenceTest.state;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.client.PresenceTest.Recorder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The SDK follows a crowded channel in and out of stats mode (docs/presence.md, Scale) from the server's
 * broadcasts: counts instead of the member list above {@code syncLimit}, the list again once the channel is down
 * to {@code syncLimit × statsResume} users.
 */
class PresenceStatsModeTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String CHANNEL = "crowd:room";

    private RealServer server;

    @BeforeEach
    void start() {
        // Stats mode above 2 users, member events again at 1.
        server = RealServer.start(Map.of(
                "namespaces.crowd.presence.syncLimit", "2",
                "namespaces.crowd.presence.statsResume", "0.5",
                "namespaces.crowd.presence.statsInterval", "200ms"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Presence join(String user, String name) {
        Presence presence = server.connect(user).presence(CHANNEL);
        presence.join(state(name)).join();
        return presence;
    }

    @Test
    void crossingTheSyncLimitTurnsTheListIntoCountsAndShrinkingToTheResumeLevelListsTheMembersAgain() {
        Presence alice = join("alice", "Alice");
        Recorder heard = new Recorder();
        alice.addListener(heard);
        Presence bob = join("bob", "Bob");
        await().atMost(WAIT).until(() -> ids(alice.members()).equals(List.of("alice", "bob")));

        Presence carol = server.connect("carol").presence(CHANNEL);
        assertThat(carol.join(state("Carol")).join()).isEmpty();
        await().atMost(WAIT).until(() -> alice.stats() != null);
        assertThat(heard.stats).containsExactly(new PresenceStats(3, 3));
        assertThat(alice.members()).isEmpty();
        assertThat(carol.stats()).isEqualTo(new PresenceStats(3, 3));

        // Updates are still broadcast in stats mode: heard, but a list built from them would only grow.
        bob.update(state("Bobby"));
        await().atMost(WAIT).until(() -> heard.updates.contains("Bobby"));
        assertThat(alice.members()).isEmpty();

        carol.leave(); // 2 users: above the resume level, still counts
        bob.leave();   // 1 user: the server sends everyone the member list
        await().atMost(WAIT).until(() -> heard.syncs.contains(List.of("alice")));
        assertThat(alice.stats()).isNull();
        assertThat(ids(alice.members())).containsExactly("alice");
        assertThat(heard.leaves).isEmpty();

        join("dave", "Dave"); // member events resume: listed again
        await().atMost(WAIT).until(() -> ids(alice.members()).equals(List.of("alice", "dave")));
        assertThat(heard.joins).as("carol crowded the channel: counted, not a join").containsExactly("bob", "dave");
    }

    @Test
    void inStatsModeJoinsAndUpdatesSingleOrInADiffAreHeardButNotListed() {
        // The counts broadcast for carol's join is followed by a single join and a diff naming others.
        AtomicBoolean injected = new AtomicBoolean();
        InboundTap crowd = frame -> {
            boolean broadcast = "presence:stats".equals(frame.path("type").asText()) && !frame.has("requestId");
            if (!broadcast || !injected.compareAndSet(false, true)) {
                return List.of(frame);
            }
            ObjectNode erin = Frames.JSON.createObjectNode().put("type", "presence:join").put("channel", CHANNEL)
                    .set("payload", member("erin"));
            return List.of(frame, erin, diff(CHANNEL, List.of(member("frank")), List.of(member("gina")), List.of()));
        };
        Presence alice = server.connect(TandemClient.builder(server.ws()).devUser("alice").tap(crowd))
                .presence(CHANNEL);
        alice.join(state("Alice")).join();
        Recorder heard = new Recorder();
        alice.addListener(heard);
        join("bob", "Bob");

        join("carol", "Carol");

        await().atMost(WAIT).until(() -> heard.updates.contains("gina"));
        assertThat(heard.joins).containsSubsequence("erin", "frank").doesNotContain("carol");
        assertThat(alice.members()).isEmpty();
        assertThat(alice.stats().users()).isEqualTo(3);
    }

    private static JsonNode member(String id) {
        return Frames.JSON.createObjectNode().put("id", id).put("name", id).put("status", "online")
                .put("lastSeen", System.currentTimeMillis());
    }
}
