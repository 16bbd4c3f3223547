package dev.tandem.presence;

import static dev.tandem.presence.PresenceTest.ids;
import static dev.tandem.presence.PresenceTest.join;
import static dev.tandem.presence.PresenceTest.joinOnly;
import static dev.tandem.presence.PresenceTest.state;
import static dev.tandem.presence.PresenceTest.update;
import static dev.tandem.presence.StatsModeContract.ofType;
import static dev.tandem.presence.StatsModeContract.unique;
import static dev.tandem.presence.StatsModeContract.until;
import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Member events of a busy channel batched into {@code presence:diff}, end to end over WebSockets: an event after a
 * quiet window goes out at once on its own, events within the window after it arrive as one diff holding each
 * user's net change with the latest state, {@code batchWindow: 0} keeps one frame per event, and a
 * {@code presence:stats} broadcast never overtakes a pending diff. Windows are long here (500 ms) so that the
 * commands of a test surely fall into one.
 */
class PresenceBatchTest {
    private static final long WINDOW_MILLIS = 500;

    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(
                "namespaces.busy.presence.batchWindow", WINDOW_MILLIS + "ms",
                "namespaces.busy.presence.updateRate", "1000",
                "namespaces.unbatched.presence.batchWindow", "0",
                "namespaces.crowd.presence.batchWindow", WINDOW_MILLIS + "ms",
                "namespaces.crowd.presence.syncLimit", "2"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static List<String> types(List<JsonNode> frames) {
        return frames.stream().map(f -> f.path("type").asText() + " " + f.path("payload").path("id").asText()).toList();
    }

    @Test
    void aSingleEventAfterAQuietWindowGoesOutAtOnceAsItsOwnJoin() throws InterruptedException {
        String channel = unique("busy");
        try (WsClient watcher = server.connect("watcher"); WsClient alice = server.connect("alice");
             WsClient bob = server.connect("bob")) {
            watcher.subscribe(channel);
            for (WsClient joiner : new WsClient[] {alice, bob}) {
                long started = System.nanoTime();
                join(joiner, channel, state("someone"));
                JsonNode event = watcher.next(f -> f.path("type").asText().startsWith("presence:"), "a presence event");
                long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
                assertThat(event.path("type").asText()).isEqualTo("presence:join");
                assertThat(elapsedMillis).as("not held for the window").isLessThan(WINDOW_MILLIS / 2);
                Thread.sleep(WINDOW_MILLIS + 200); // the window passes quietly
            }
        }
    }

    @Test
    void aBurstOfJoinsWithinTheWindowArrivesAsOneDiffWithEveryMember() {
        String channel = unique("busy");
        try (WsClient watcher = server.connect("watcher"); WsClient a = server.connect("a");
             WsClient b = server.connect("b"); WsClient c = server.connect("c"); WsClient d = server.connect("d")) {
            watcher.subscribe(channel);
            join(a, channel, state("A"));
            join(b, channel, state("B"));
            join(c, channel, state("C"));
            join(d, channel, state("D"));

            List<JsonNode> frames = until(watcher, ofType("presence:diff"), "the diff of b, c and d");
            assertThat(types(frames)).containsExactly("presence:join a", "presence:diff ");
            JsonNode diff = frames.get(1);
            assertThat(diff.path("channel").asText()).isEqualTo(channel);
            assertThat(diff.has("seq")).isFalse();
            assertThat(diff.path("timestamp").asLong() - frames.get(0).path("timestamp").asLong())
                    .as("held until the window after a's join passed").isGreaterThanOrEqualTo(WINDOW_MILLIS - 15);
            JsonNode joins = diff.path("payload").path("joins");
            assertThat(ids(joins)).containsExactlyInAnyOrder("b", "c", "d");
            joins.forEach(member -> assertThat(member.path("name").asText()).isEqualTo(member.path("id").asText().toUpperCase()));
            assertThat(joins.get(0).path("connections")).hasSize(1);
            assertThat(diff.path("payload").path("updates")).isEmpty();
            assertThat(diff.path("payload").path("leaves")).isEmpty();
            assertThat(d.next(ofType("presence:diff"), "the diff at a joiner too").path("payload").path("joins"))
                    .as("not filtered per sender").hasSize(3);
        }
    }

    @Test
    void aDiffHoldsEachUsersNetChangeOverTheWindowWithTheLatestState() throws InterruptedException {
        String channel = unique("busy");
        try (WsClient watcher = server.connect("watcher"); WsClient a = server.connect("a");
             WsClient b = server.connect("b"); WsClient c = server.connect("c"); WsClient d = server.connect("d")) {
            watcher.subscribe(channel);
            join(d, channel, state("D"));
            watcher.next(PresenceTest.isEvent("presence:join", "d"), "d's join");
            Thread.sleep(WINDOW_MILLIS + 200);

            join(a, channel, state("A")); // opens the window
            join(b, channel, state("B")); // joins and leaves: only a leave
            b.send(command("presence:leave").put("channel", channel));
            b.request(command("ping"));
            for (int x = 1; x <= 3; x++) { // several updates: one entry, the last state
                update(a, channel, state("A").put("x", x));
                a.request(command("ping"));
            }
            join(c, channel, state("C")); // joins, then updates: a join with the latest state
            update(c, channel, state("C").put("x", 9));
            c.request(command("ping"));
            d.send(command("presence:leave").put("channel", channel)); // leaves and comes back: a join
            joinOnly(d, channel, state("D").put("back", true));

            List<JsonNode> frames = until(watcher, ofType("presence:diff"), "the window's diff");
            assertThat(types(frames)).containsExactly("presence:join a", "presence:diff ");
            JsonNode payload = frames.get(1).path("payload");
            assertThat(ids(payload.path("leaves"))).containsExactly("b");
            assertThat(payload.path("leaves").get(0).path("status").asText()).isEqualTo("offline");
            assertThat(ids(payload.path("updates"))).containsExactly("a");
            assertThat(payload.path("updates").get(0).path("state").path("x").asInt()).isEqualTo(3);
            assertThat(ids(payload.path("joins"))).containsExactlyInAnyOrder("c", "d");
            for (JsonNode joined : payload.path("joins")) {
                JsonNode expected = joined.path("id").asText().equals("c") ? state("C").put("x", 9)
                        : state("D").put("back", true);
                assertThat(joined.path("state")).isEqualTo(expected);
            }
        }
    }

    @Test
    void withABatchWindowOfZeroEveryEventIsItsOwnFrame() {
        String channel = unique("unbatched");
        try (WsClient watcher = server.connect("watcher"); WsClient a = server.connect("a");
             WsClient b = server.connect("b"); WsClient c = server.connect("c")) {
            watcher.subscribe(channel);
            join(a, channel, null);
            join(b, channel, null);
            join(c, channel, null);
            c.send(command("presence:leave").put("channel", channel));
            List<JsonNode> frames = until(watcher, PresenceTest.isEvent("presence:leave", "c"), "c's leave");
            assertThat(types(frames))
                    .containsExactly("presence:join a", "presence:join b", "presence:join c", "presence:leave c");
        }
    }

    @Test
    void aStatsBroadcastNeverOvertakesAPendingMemberEvent() {
        String channel = unique("crowd");
        try (WsClient watcher = server.connect("watcher"); WsClient a = server.connect("a");
             WsClient b = server.connect("b"); WsClient c = server.connect("c")) {
            watcher.subscribe(channel);
            join(a, channel, null); // at once, opens the window
            join(b, channel, null); // pending until the window passes...
            assertThat(join(c, channel, null).path("type").asText()).isEqualTo("presence:stats");
            // ...but the counts c's join broadcasts at once (the channel is crowded now) send it first.
            List<JsonNode> frames = until(watcher, ofType("presence:stats"), "the counts of 3 users");
            assertThat(types(frames)).containsExactly("presence:join a", "presence:join b", "presence:stats ");
            assertThat(frames.get(2).path("payload").path("users").asInt()).isEqualTo(3);
            long heldMillis = frames.get(1).path("timestamp").asLong() - frames.get(0).path("timestamp").asLong();
            assertThat(heldMillis).as("b's join went with the counts, not at the window's end").isLessThan(WINDOW_MILLIS);
        }
    }
}
