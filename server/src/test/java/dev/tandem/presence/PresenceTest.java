package dev.tandem.presence;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PresenceTest {
    static final String KEY = "presence-test-key";
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of(
                "api.key", KEY,
                // One frame per event: these tests follow single events; PresenceBatchTest covers batching.
                "namespaces.default.presence.batchWindow", "0",
                "namespaces.crowd.presence.syncLimit", "2",
                "namespaces.quiet.presence.joinLeave", "false",
                "namespaces.cursor.presence.updateRate", "10",
                "namespaces.private.presence.enabled", "false"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static ObjectNode state(String name) {
        return WsClient.JSON.createObjectNode().put("name", name);
    }

    /** Subscribes and joins; returns the join's reply (presence:sync, presence:stats or error). */
    static JsonNode join(WsClient client, String channel, ObjectNode state) {
        assertThat(client.subscribe(channel).path("type").asText()).isEqualTo("subscribed");
        return joinOnly(client, channel, state);
    }

    static JsonNode joinOnly(WsClient client, String channel, ObjectNode state) {
        ObjectNode join = command("presence:join").put("channel", channel);
        if (state != null) {
            join.putObject("payload").set("state", state);
        }
        return client.request(join);
    }

    static void update(WsClient client, String channel, ObjectNode state) {
        ObjectNode update = command("presence:update").put("channel", channel);
        update.putObject("payload").set("state", state);
        client.send(update);
    }

    static JsonNode presenceEvent(WsClient client, String type, String userId) {
        return client.next(isEvent(type, userId), type + " of " + userId);
    }

    static Predicate<JsonNode> isEvent(String type, String userId) {
        return f -> type.equals(f.path("type").asText()) && userId.equals(f.path("payload").path("id").asText());
    }

    static List<String> ids(JsonNode users) {
        List<String> ids = new ArrayList<>();
        users.forEach(u -> ids.add(u.path("id").asText()));
        return ids;
    }

    @Test
    void joinerGetsSyncOfEveryMemberAndOthersSeeJoinThenLeaveInOrder() {
        String channel = "room:order";
        try (WsClient alice = server.connect("alice"); WsClient bob = server.connect("bob")) {
            JsonNode aliceSync = join(alice, channel, state("Alice"));
            assertThat(aliceSync.path("type").asText()).isEqualTo("presence:sync");
            assertThat(aliceSync.path("channel").asText()).isEqualTo(channel);
            assertThat(ids(aliceSync.path("payload").path("users"))).containsExactly("alice");

            JsonNode bobSync = join(bob, channel, state("Bob"));
            JsonNode bobUsers = bobSync.path("payload").path("users");
            assertThat(ids(bobUsers)).containsExactly("alice", "bob");
            JsonNode aliceSeenByBob = bobUsers.get(0);
            assertThat(aliceSeenByBob.path("name").asText()).isEqualTo("Alice");
            assertThat(aliceSeenByBob.path("status").asText()).isEqualTo("online");
            assertThat(aliceSeenByBob.path("lastSeen").asLong()).isPositive();
            assertThat(aliceSeenByBob.path("state").path("name").asText()).isEqualTo("Alice");

            bob.send(command("presence:leave").put("channel", channel));
            List<String> seen = new ArrayList<>();
            JsonNode frame;
            do {
                frame = alice.next(f -> f.path("type").asText().startsWith("presence:"), "presence event");
                seen.add(frame.path("type").asText() + " " + frame.path("payload").path("id").asText());
            } while (!frame.path("type").asText().equals("presence:leave"));
            assertThat(seen).containsExactly("presence:join bob", "presence:leave bob");
            assertThat(frame.path("payload").path("status").asText()).isEqualTo("offline");
            assertThat(frame.has("seq")).isFalse();
        }
    }

    @Test
    void twoTabsOfOneUserAreOneMemberWithBothConnectionsAndTheUserLeavesWithTheLastTab() {
        String channel = "room:tabs";
        try (WsClient alice = server.connect("alice"); WsClient tab1 = server.connect("bob");
             WsClient tab2 = server.connect("bob"); WsClient carol = server.connect("carol")) {
            join(alice, channel, state("Alice"));
            join(tab1, channel, state("Bob").put("cursor", 1));
            assertThat(presenceEvent(alice, "presence:join", "bob").path("payload").path("connections")).hasSize(1);

            // The user's state is the most recently active tab's, by the millisecond clock: a join within the
            // same millisecond as tab1's would tie, and a tie is not "more recent".
            awaitNextMillisecond();
            join(tab2, channel, state("Bob").put("cursor", 2));
            JsonNode merged = presenceEvent(alice, "presence:update", "bob").path("payload");
            assertThat(merged.path("connections")).hasSize(2);
            assertThat(merged.path("state").path("cursor").asInt()).isEqualTo(2);

            JsonNode carolSync = join(carol, channel, null);
            assertThat(ids(carolSync.path("payload").path("users"))).containsExactly("alice", "bob", "carol");
            JsonNode bob = carolSync.path("payload").path("users").get(1);
            List<Integer> cursors = new ArrayList<>();
            bob.path("connections").forEach(c -> cursors.add(c.path("state").path("cursor").asInt()));
            assertThat(cursors).containsExactlyInAnyOrder(1, 2);

            tab1.close();
            JsonNode oneTabLeft = presenceEvent(alice, "presence:update", "bob").path("payload");
            assertThat(oneTabLeft.path("connections")).hasSize(1);
            assertThat(oneTabLeft.path("state").path("cursor").asInt()).isEqualTo(2);

            tab2.close();
            presenceEvent(alice, "presence:leave", "bob");
            assertThat(alice.drain()).noneMatch(f -> f.path("type").asText().equals("presence:join"));
        }
    }

    @Test
    void clientKilledWithoutCloseLeavesWithABroadcast() {
        String channel = "room:abort";
        try (WsClient alice = server.connect("alice")) {
            join(alice, channel, null);
            WsClient ghost = server.connect("ghost");
            join(ghost, channel, null);
            presenceEvent(alice, "presence:join", "ghost");
            ghost.abort();
            presenceEvent(alice, "presence:leave", "ghost");
        }
    }

    @Test
    void aSubscriberWatchingWithoutJoiningReadsTheMembersAndSeesEventsButIsNotAMember() {
        String channel = "room:watch";
        try (WsClient alice = server.connect("alice"); WsClient watcher = server.connect("watcher")) {
            join(alice, channel, state("Alice"));
            JsonNode refused = watcher.request(command("presence:get").put("channel", channel));
            assertThat(refused.path("payload").path("code").asText()).isEqualTo("forbidden");

            watcher.subscribe(channel);
            JsonNode sync = watcher.request(command("presence:get").put("channel", channel));
            assertThat(sync.path("type").asText()).isEqualTo("presence:sync");
            assertThat(ids(sync.path("payload").path("users"))).containsExactly("alice");
            update(alice, channel, state("Alice").put("cursor", 3));
            assertThat(presenceEvent(watcher, "presence:update", "alice").path("payload").path("state").path("cursor").asInt())
                    .isEqualTo(3);
            JsonNode members = json(server.get("/api/presence/" + channel, "Authorization", "apikey " + KEY));
            assertThat(ids(members.path("users"))).containsExactly("alice");
        }
    }

    @Test
    void unsubscribingLeavesPresence() {
        String channel = "room:unsub";
        try (WsClient alice = server.connect("alice"); WsClient bob = server.connect("bob")) {
            join(alice, channel, null);
            join(bob, channel, null);
            presenceEvent(alice, "presence:join", "bob");
            bob.request(command("unsubscribe").put("channel", channel));
            presenceEvent(alice, "presence:leave", "bob");
            JsonNode heartbeat = bob.request(command("presence:heartbeat").put("channel", channel));
            assertThat(heartbeat.path("payload").path("code").asText()).isEqualTo("not_found");
        }
    }

    @Test
    void fastCursorUpdatesAreCoalescedToTheRateAndTheLatestStateWins() {
        String channel = "cursor:doc";
        try (WsClient alice = server.connect("alice"); WsClient bob = server.connect("bob")) {
            join(alice, channel, null);
            join(bob, channel, state("Bob"));
            presenceEvent(alice, "presence:join", "bob");
            long started = System.nanoTime();
            for (int x = 1; x <= 200; x++) {
                update(bob, channel, state("Bob").put("x", x));
            }
            List<JsonNode> updates = new ArrayList<>();
            JsonNode last;
            do {
                last = presenceEvent(alice, "presence:update", "bob");
                updates.add(last);
            } while (last.path("payload").path("state").path("x").asInt() != 200);
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

            // 10 per second: the first at once, then one per 100 ms at most.
            assertThat(updates.size()).isLessThanOrEqualTo(2 + (int) (elapsedMillis / 100));
            assertThat(updates.size()).isLessThan(200);
            long first = updates.get(0).path("timestamp").asLong();
            for (int k = 1; k < updates.size(); k++) {
                long since = updates.get(k).path("timestamp").asLong() - first;
                // The k-th flush after the first is due k intervals later (a tenth of one early at most). A late
                // timer may bring two flushes closer than one interval, never ahead of that schedule. The frame
                // timestamp (whole ms) is taken a moment after each flush starts, and that moment jitters on a
                // loaded machine, hence a margin.
                assertThat(since).as("time from the first update to update %d", k).isGreaterThanOrEqualTo(k * 100L - 15);
            }
            List<Integer> xs = new ArrayList<>();
            updates.forEach(u -> xs.add(u.path("payload").path("state").path("x").asInt()));
            assertThat(xs).isSorted();
            assertThat(bob.drain()).noneMatch(f -> f.path("type").asText().equals("presence:update"));
        }
    }

    @Test
    void aboveTheSyncLimitTheJoinerGetsCountsInsteadOfTheMemberList() {
        String channel = "crowd:stadium";
        try (WsClient a = server.connect("a"); WsClient b = server.connect("b"); WsClient c = server.connect("c")) {
            assertThat(join(a, channel, null).path("type").asText()).isEqualTo("presence:sync");
            assertThat(join(b, channel, null).path("type").asText()).isEqualTo("presence:sync");
            JsonNode third = join(c, channel, null);
            assertThat(third.path("type").asText()).isEqualTo("presence:stats");
            assertThat(third.path("payload").path("users").asInt()).isEqualTo(3);
            assertThat(third.path("payload").path("connections").asInt()).isEqualTo(3);

            JsonNode rest = json(server.get("/api/presence/" + channel, "Authorization", "apikey " + KEY));
            assertThat(rest.path("counts").path("users").asInt()).isEqualTo(3);
            assertThat(rest.has("users")).isFalse();
        }
    }

    @Test
    void withJoinLeaveSwitchedOffOnlyUpdatesAreBroadcast() {
        String channel = "quiet:lobby";
        try (WsClient alice = server.connect("alice"); WsClient bob = server.connect("bob")) {
            join(alice, channel, null);
            join(bob, channel, null);
            update(bob, channel, state("Bob"));
            presenceEvent(alice, "presence:update", "bob");
            bob.send(command("presence:leave").put("channel", channel));
            bob.request(command("ping")); // the leave has been handled, and anything it broadcast enqueued
            alice.request(command("ping"));
            List<JsonNode> rest = alice.drain();
            assertThat(rest).noneMatch(f -> f.path("type").asText().equals("presence:join")
                    || f.path("type").asText().equals("presence:leave"));
        }
    }

    @Test
    void onlySubscribersOfAChannelWithPresenceEnabledMayJoin() {
        try (WsClient alice = server.connect("alice")) {
            JsonNode unsubscribed = joinOnly(alice, "room:closed", null);
            assertThat(unsubscribed.path("type").asText()).isEqualTo("error");
            assertThat(unsubscribed.path("payload").path("code").asText()).isEqualTo("forbidden");

            JsonNode disabled = join(alice, "private:x", null);
            assertThat(disabled.path("payload").path("code").asText()).isEqualTo("forbidden");

            JsonNode badName = joinOnly(alice, "bad channel", null);
            assertThat(badName.path("payload").path("code").asText()).isEqualTo("bad_request");

            HttpResponse<String> rest = server.get("/api/presence/private:x", "Authorization", "apikey " + KEY);
            assertThat(rest.statusCode()).isEqualTo(403);
            assertThat(json(rest).path("error").path("code").asText()).isEqualTo("forbidden");
            assertThat(alice.request(command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void stateLargerThanTheLimitIsRefusedWithTooLargeAndTheConnectionGoesOn() {
        String channel = "room:big";
        try (WsClient alice = server.connect("alice")) {
            ObjectNode big = state("A").put("blob", "x".repeat(5000));
            JsonNode refused = join(alice, channel, big);
            assertThat(refused.path("type").asText()).isEqualTo("error");
            assertThat(refused.path("payload").path("code").asText()).isEqualTo("too_large");

            assertThat(joinOnly(alice, channel, state("A")).path("type").asText()).isEqualTo("presence:sync");
            ObjectNode update = command("presence:update").put("channel", channel);
            update.putObject("payload").set("state", big);
            assertThat(alice.request(update).path("payload").path("code").asText()).isEqualTo("too_large");
            ObjectNode badStatus = command("presence:update").put("channel", channel);
            badStatus.putObject("payload").put("status", "asleep");
            assertThat(alice.request(badStatus).path("payload").path("code").asText()).isEqualTo("bad_request");
            assertThat(alice.request(command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void restApiReportsChannelMembersAndAUsersGlobalStatusBehindTheApiKey() {
        String channel = "room:rest";
        try (WsClient dora = server.connect("dora")) {
            join(dora, channel, state("Dora"));
            JsonNode members = json(server.get("/api/presence/" + channel, "Authorization", "apikey " + KEY));
            assertThat(members.path("channel").asText()).isEqualTo(channel);
            assertThat(ids(members.path("users"))).containsExactly("dora");
            assertThat(members.path("counts").path("connections").asInt()).isEqualTo(1);

            JsonNode online = json(server.get("/api/users/dora/presence", "Authorization", "apikey " + KEY));
            assertThat(online.path("status").asText()).isEqualTo("online");
            assertThat(online.path("channels").path(channel).asText()).isEqualTo("online");

            assertThat(server.get("/api/users/dora/presence").statusCode()).isEqualTo(401);
            assertThat(server.get("/api/presence/" + channel).statusCode()).isEqualTo(401);
        }
        JsonNode offline = awaitJson("/api/users/dora/presence", body -> body.path("status").asText().equals("offline"));
        assertThat(offline.path("lastSeen").asLong()).isPositive();
        assertThat(offline.path("channels").size()).isZero();

        JsonNode stranger = json(server.get("/api/users/nobody-ever/presence", "Authorization", "apikey " + KEY));
        assertThat(stranger.path("status").asText()).isEqualTo("offline");
        assertThat(stranger.path("lastSeen").isNull()).isTrue();
    }

    static JsonNode awaitJson(String path, java.util.function.Predicate<JsonNode> until) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            JsonNode body = json(server.get(path, "Authorization", "apikey " + KEY));
            if (until.test(body) || System.nanoTime() > deadline) {
                return body;
            }
            Thread.onSpinWait();
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return WsClient.JSON.readTree(response.body());
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }

    private static void awaitNextMillisecond() {
        long now = System.currentTimeMillis();
        while (System.currentTimeMillis() <= now + 1) {
            Thread.onSpinWait();
        }
    }
}
