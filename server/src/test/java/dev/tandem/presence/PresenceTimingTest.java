package dev.tandem.presence;

import static dev.tandem.presence.PresenceTest.join;
import static dev.tandem.presence.PresenceTest.presenceEvent;
import static dev.tandem.presence.PresenceTest.state;
import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.testing.MutableClock;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Presence over time: silent clients, heartbeats, TTL expiry, away after inactivity. */
class PresenceTimingTest {
    /**
     * These tests follow one member's status frame by frame; batched, the sweep's away of two members and the
     * activity after it could arrive as one {@code presence:diff} (PresenceBatchTest covers that).
     */
    private static final Map<String, String> ONE_FRAME_PER_EVENT = Map.of("namespaces.default.presence.batchWindow", "0");


    @Test
    void clientThatGoesSilentWithoutClosingIsDetectedByPingTimeoutAndLeaves() {
        try (TestServer server = TestServer.start(Map.of("connection.pingInterval", "300ms"));
             WsClient alice = server.connect("alice")) {
            String channel = "room:silent";
            join(alice, channel, null);
            // Reads its first frame only: it never sees a ping, so it never answers one, and its socket stays open.
            WsClient ghost = WsClient.paused(server.ws("user=ghost"));
            try {
                ghost.send(command("subscribe").put("channel", channel));
                ghost.send(command("presence:join").put("channel", channel));
                presenceEvent(alice, "presence:join", "ghost");
                long silentSince = System.nanoTime();
                JsonNode leave = presenceEvent(alice, "presence:leave", "ghost");
                long detectedAfterMillis = (System.nanoTime() - silentSince) / 1_000_000;
                assertThat(leave.path("payload").path("status").asText()).isEqualTo("offline");
                assertThat(detectedAfterMillis).isBetween(300L, 10_000L);
                // alice answered every ping (the JDK client pongs), so she is still connected and present.
                assertThat(alice.request(command("ping")).path("type").asText()).isEqualTo("pong");
            } finally {
                ghost.abort();
            }
        }
    }

    @Test
    void heartbeatsKeepAMemberOnlineUntilTenIdleMinutesMakeItAwayAndMissedHeartbeatsMakeItOffline() {
        MutableClock clock = new MutableClock();
        try (TestServer server = TestServer.start(ONE_FRAME_PER_EVENT, clock);
             WsClient alice = server.connect("alice"); WsClient bob = server.connect("bob")) {
            String channel = "room:clock";
            join(alice, channel, state("Alice"));
            join(bob, channel, state("Bob"));
            presenceEvent(alice, "presence:join", "bob");

            // Nine and a half minutes of heartbeats only: still online (heartbeats are not activity, but 60 s TTL holds).
            for (int i = 0; i < 19; i++) {
                clock.advance(Duration.ofSeconds(30));
                heartbeat(alice, channel);
                heartbeat(bob, channel);
            }
            assertThat(member(server, channel, "bob").path("status").asText()).isEqualTo("online");

            clock.advance(Duration.ofSeconds(31)); // 10 min 1 s since bob's last activity
            heartbeat(alice, channel);
            heartbeat(bob, channel);
            JsonNode away = presenceEvent(alice, "presence:update", "bob").path("payload");
            assertThat(away.path("status").asText()).isEqualTo("away");

            ObjectNode active = command("presence:update").put("channel", channel);
            active.putObject("payload").set("state", state("Bob").put("cursor", 7));
            bob.send(active);
            JsonNode back = presenceEvent(alice, "presence:update", "bob").path("payload");
            assertThat(back.path("status").asText()).isEqualTo("online");
            assertThat(back.path("state").path("cursor").asInt()).isEqualTo(7);
            long bobLastSeen = back.path("lastSeen").asLong();

            // bob stops heartbeating; alice goes on. Past 60 s bob's entry expires: offline, with his last seen time.
            clock.advance(Duration.ofSeconds(40));
            heartbeat(alice, channel);
            clock.advance(Duration.ofSeconds(25));
            heartbeat(alice, channel);
            JsonNode leave = presenceEvent(alice, "presence:leave", "bob").path("payload");
            assertThat(leave.path("status").asText()).isEqualTo("offline");
            assertThat(leave.path("lastSeen").asLong()).isEqualTo(bobLastSeen);

            JsonNode user = PresenceTest.json(server.get("/api/users/bob/presence"));
            assertThat(user.path("status").asText()).isEqualTo("offline");
            assertThat(user.path("lastSeen").asLong()).isEqualTo(bobLastSeen);
            // bob is still connected and subscribed: he saw his own leave, and must join again.
            presenceEvent(bob, "presence:leave", "bob");
            JsonNode stale = bob.request(command("presence:heartbeat").put("channel", channel));
            assertThat(stale.path("payload").path("code").asText()).isEqualTo("not_found");
        }
    }

    @Test
    void clientMayReportAwayItselfAndTheUserIsOnlineWhileAnyTabIs() {
        MutableClock clock = new MutableClock();
        try (TestServer server = TestServer.start(ONE_FRAME_PER_EVENT, clock);
             WsClient alice = server.connect("alice"); WsClient tab1 = server.connect("bob");
             WsClient tab2 = server.connect("bob")) {
            String channel = "room:status";
            join(alice, channel, null);
            join(tab1, channel, null);
            join(tab2, channel, null);
            status(tab1, channel, "away");
            JsonNode oneAway = presenceEvent(alice, "presence:update", "bob").path("payload");
            assertThat(oneAway.path("status").asText()).isEqualTo("online");
            status(tab2, channel, "away");
            JsonNode bothAway = awaitStatus(alice, "bob", "away");
            assertThat(bothAway.path("connections")).allMatch(c -> c.path("status").asText().equals("away"));
            JsonNode user = PresenceTest.json(server.get("/api/users/bob/presence"));
            assertThat(user.path("status").asText()).isEqualTo("away");
        }
    }

    private static JsonNode awaitStatus(WsClient client, String userId, String status) {
        return client.next(f -> f.path("type").asText().equals("presence:update")
                && f.path("payload").path("id").asText().equals(userId)
                && f.path("payload").path("status").asText().equals(status), userId + " " + status).path("payload");
    }

    private static void status(WsClient client, String channel, String status) {
        ObjectNode update = command("presence:update").put("channel", channel);
        update.putObject("payload").put("status", status);
        client.send(update);
    }

    /** Sends a heartbeat and waits until the server has handled it (commands run in order). */
    private static void heartbeat(WsClient client, String channel) {
        client.send(command("presence:heartbeat").put("channel", channel));
        assertThat(client.request(command("ping")).path("type").asText()).isEqualTo("pong");
    }

    private static JsonNode member(TestServer server, String channel, String userId) {
        JsonNode body = PresenceTest.json(server.get("/api/presence/" + channel));
        for (JsonNode user : body.path("users")) {
            if (user.path("id").asText().equals(userId)) {
                return user;
            }
        }
        throw new AssertionError(userId + " is not a member of " + channel + ": " + body);
    }
}
