package dev.tandem.presence;

import static dev.tandem.presence.PresenceTest.ids;
import static dev.tandem.presence.PresenceTest.join;
import static dev.tandem.presence.PresenceTest.joinOnly;
import static dev.tandem.presence.PresenceTest.state;
import static dev.tandem.presence.PresenceTest.update;
import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Stats mode of crowded channels, end to end over WebSockets, for every presence store (the mode switch reads the
 * counts each store reports with its writes): above {@code syncLimit} users membership changes become coalesced
 * {@code presence:stats} broadcasts, a channel leaves the mode only at {@code syncLimit × statsResume} users and then
 * sends its member list once, and {@code joinLeave: false} silences membership broadcasts of both kinds.
 * Subclasses supply the server configuration of the store under test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class StatsModeContract {
    private static final long INTERVAL_MILLIS = 600;

    private TestServer server;

    /** Configuration selecting the presence store under test. */
    protected abstract Map<String, String> storeConfig();

    @BeforeAll
    void start() {
        Map<String, String> config = new HashMap<>(storeConfig());
        // One frame per member event: these tests are about counts; PresenceBatchTest covers batching with them.
        config.put("namespaces.default.presence.batchWindow", "0");
        config.put("namespaces.crowd.presence.syncLimit", "3");
        config.put("namespaces.crowd.presence.statsResume", "0.5"); // back to member events at 1 user
        config.put("namespaces.crowd.presence.statsInterval", INTERVAL_MILLIS + "ms");
        config.put("namespaces.hush.presence.syncLimit", "1");
        config.put("namespaces.hush.presence.joinLeave", "false");
        server = TestServer.start(config);
    }

    @AfterAll
    void stop() {
        server.close();
    }

    static String unique(String namespace) {
        return namespace + ":" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Frames of {@code client} up to and including the first that matches. */
    static List<JsonNode> until(WsClient client, Predicate<JsonNode> match, String what) {
        List<JsonNode> frames = new ArrayList<>();
        JsonNode frame;
        do {
            frame = client.next(f -> true, what);
            frames.add(frame);
        } while (!match.test(frame));
        return frames;
    }

    private static Predicate<JsonNode> stats(String channel, int users) {
        return f -> f.path("type").asText().equals("presence:stats") && f.path("channel").asText().equals(channel)
                && f.path("payload").path("users").asInt() == users;
    }

    static Predicate<JsonNode> ofType(String type) {
        return f -> f.path("type").asText().equals(type);
    }

    private static JsonNode get(WsClient client, String channel) {
        return client.request(command("presence:get").put("channel", channel));
    }

    private static void leave(WsClient client, String channel) {
        client.send(command("presence:leave").put("channel", channel));
    }

    @Test
    void aboveTheLimitMembershipChangesBecomeCoalescedCountsWhileStateUpdatesStillFlow() {
        String channel = unique("crowd");
        try (WsClient watcher = server.connect("watcher"); WsClient a = server.connect("a");
             WsClient b = server.connect("b"); WsClient c = server.connect("c"); WsClient d = server.connect("d");
             WsClient e = server.connect("e"); WsClient f = server.connect("f"); WsClient aTab = server.connect("a")) {
            watcher.subscribe(channel);
            join(a, channel, state("A"));
            join(b, channel, state("B"));
            join(c, channel, state("C"));
            until(watcher, PresenceTest.isEvent("presence:join", "c"), "c's join (3 users: member events)");

            JsonNode fourth = join(d, channel, state("D"));
            assertThat(fourth.path("type").asText()).isEqualTo("presence:stats");
            join(e, channel, state("E"));
            join(f, channel, state("F"));
            List<JsonNode> crowded = until(watcher, stats(channel, 6), "counts of 6 users");
            assertThat(crowded).noneMatch(ofType("presence:join"));
            List<JsonNode> counts = crowded.stream().filter(ofType("presence:stats")).toList();
            assertThat(counts.get(0).path("payload").path("users").asInt())
                    .as("the join that crowded the channel is counted at once").isEqualTo(4);
            assertThat(counts.size()).as("three joins, at most one broadcast per interval").isBetween(2, 3);
            for (int i = 1; i < counts.size(); i++) {
                long gap = counts.get(i).path("timestamp").asLong() - counts.get(i - 1).path("timestamp").asLong();
                assertThat(gap).as("gap between presence:stats").isGreaterThanOrEqualTo(INTERVAL_MILLIS - 30);
            }

            // A second tab of a member is a membership change too: counted, not broadcast as a member update.
            join(aTab, channel, state("A2"));
            List<JsonNode> tab = until(watcher, stats(channel, 6).and(s -> s.path("payload").path("connections").asInt() == 7),
                    "counts with a's second tab");
            assertThat(tab).noneMatch(ofType("presence:update"));

            // State changes still reach everyone, one member at a time.
            update(b, channel, state("B").put("cursor", 5));
            JsonNode moved = watcher.next(PresenceTest.isEvent("presence:update", "b"), "b's update");
            assertThat(moved.path("payload").path("state").path("cursor").asInt()).isEqualTo(5);
        }
    }

    @Test
    void aCrowdedChannelReturnsToMemberEventsOnlyAtTheResumeLevelAndThenSendsItsMemberListOnce() {
        String channel = unique("crowd");
        try (WsClient watcher = server.connect("watcher"); WsClient a = server.connect("a");
             WsClient b = server.connect("b"); WsClient c = server.connect("c"); WsClient d = server.connect("d")) {
            watcher.subscribe(channel);
            join(a, channel, null);
            join(b, channel, null);
            join(c, channel, null);
            join(d, channel, null);
            until(watcher, stats(channel, 4), "counts of 4 users");

            leave(d, channel);
            leave(c, channel);
            List<JsonNode> shrinking = until(watcher, stats(channel, 2), "counts of 2 users");
            assertThat(shrinking).noneMatch(ofType("presence:leave"));
            // 2 users is below syncLimit (3) but above the resume level (1): still counts, for joiners too.
            assertThat(get(watcher, channel).path("type").asText()).isEqualTo("presence:stats");

            leave(b, channel);
            List<JsonNode> resumed = until(watcher, ofType("presence:sync"), "the member list once back at 1 user");
            assertThat(resumed).noneMatch(ofType("presence:leave"));
            JsonNode list = resumed.get(resumed.size() - 1);
            assertThat(list.has("requestId")).isFalse();
            assertThat(ids(list.path("payload").path("users"))).containsExactly("a");

            JsonNode rejoined = joinOnly(c, channel, null);
            assertThat(rejoined.path("type").asText()).isEqualTo("presence:sync");
            List<JsonNode> events = until(watcher, PresenceTest.isEvent("presence:join", "c"), "c's join as an event");
            assertThat(events).noneMatch(ofType("presence:stats"));
        }
    }

    @Test
    void withJoinLeaveOffACrowdedChannelBroadcastsNeitherMemberEventsNorCounts() {
        String channel = unique("hush");
        try (WsClient watcher = server.connect("watcher"); WsClient a = server.connect("a");
             WsClient b = server.connect("b")) {
            watcher.subscribe(channel);
            join(a, channel, null);
            assertThat(join(b, channel, null).path("type").asText()).isEqualTo("presence:stats");
            update(a, channel, state("A"));
            List<JsonNode> seen = until(watcher, PresenceTest.isEvent("presence:update", "a"), "a's update");

            leave(b, channel);
            leave(a, channel); // empty: the channel leaves stats mode, and sends no member list either
            a.request(command("ping")); // both leaves handled, and whatever they broadcast enqueued
            b.request(command("ping"));
            watcher.send(command("ping"));
            seen.addAll(until(watcher, ofType("pong"), "the watcher's pong"));
            assertThat(seen).noneMatch(ofType("presence:join").or(ofType("presence:leave"))
                    .or(ofType("presence:stats")).or(ofType("presence:sync")));
        }
    }
}
