package dev.tandem.messages;

import static dev.tandem.testing.WsClient.messageSend;
import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestStore;
import dev.tandem.testing.TestTokens;
import dev.tandem.testing.WsClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Typing indicators and read receipts through real sockets and the HTTP API, on both stores. */
class TypingAndReceiptsTest {

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void typingReachesOthersOncePerIntervalAndExtrasAreDroppedSilently(TestStore store) {
        Map<String, String> config = new HashMap<>(store.fresh());
        config.put("chat.typingInterval", "1s");
        try (TestServer server = TestServer.start(config);
             WsClient alice = server.connect("alice"); WsClient bob = server.connect("bob")) {
            alice.subscribe("chat:typing");
            bob.subscribe("chat:typing");
            for (int i = 0; i < 5; i++) {
                alice.send(command("typing").put("channel", "chat:typing"));
            }
            List<JsonNode> seenByAlice = untilPong(alice);
            JsonNode typing = bob.nextOfType("typing");
            assertThat(typing.path("channel").asText()).isEqualTo("chat:typing");
            assertThat(typing.path("payload").path("userId").asText()).isEqualTo("alice");
            assertThat(typing.path("payload").path("name").asText()).isEqualTo("alice");
            assertThat(typing.has("seq")).isFalse();
            // Alice's pong means the server handled all five, so any extra was queued for bob before it. Not a ping
            // to bob as the barrier: his pong is a reply, written at once, and can overtake frames queued for him.
            assertThat(framesWithin(bob, Duration.ofMillis(500)))
                    .noneMatch(f -> "typing".equals(f.path("type").asText()));
            assertThat(seenByAlice).noneMatch(f -> "typing".equals(f.path("type").asText()) || "error".equals(f.path("type").asText()));

            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                alice.send(command("typing").put("channel", "chat:typing"));
                JsonNode next = bob.poll(Duration.ofMillis(200));
                assertThat(next == null ? "nothing" : next.path("type").asText()).isEqualTo("typing");
            });
            JsonNode history = bob.request(command("history").put("channel", "chat:typing").put("after", 0));
            assertThat(history.path("payload").path("publications")).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void receiptsAreStoredAndFannedOutCoalescedAtMostOncePerIntervalPerUser(TestStore store) {
        Map<String, String> config = new HashMap<>(store.fresh());
        config.put("chat.receiptInterval", "1s");
        try (TestServer server = TestServer.start(config);
             WsClient alice = server.connect("alice"); WsClient bob = server.connect("bob")) {
            alice.subscribe("chat:receipts");
            for (int i = 1; i <= 3; i++) {
                alice.request(messageSend("chat:receipts", "r" + i, "message " + i));
            }
            bob.send(receipt("chat:receipts", "read", 1));
            JsonNode first = alice.nextOfType("receipt");
            assertThat(first.path("payload").path("userId").asText()).isEqualTo("bob");
            assertThat(first.path("payload").path("kind").asText()).isEqualTo("read");
            assertThat(first.path("payload").path("upTo").asLong()).isEqualTo(1);

            long sentAt = System.nanoTime();
            bob.send(receipt("chat:receipts", "read", 2));
            bob.send(receipt("chat:receipts", "read", 3));
            bob.send(receipt("chat:receipts", "read", 2));
            JsonNode coalesced = alice.next(f -> "receipt".equals(f.path("type").asText())
                    && "read".equals(f.path("payload").path("kind").asText()), "coalesced read receipt");
            assertThat(Duration.ofNanos(System.nanoTime() - sentAt)).isGreaterThan(Duration.ofMillis(500));
            assertThat(coalesced.path("payload").path("upTo").asLong()).isEqualTo(3);
            assertThat(alice.poll(Duration.ofMillis(1500)) == null).as("nothing after the coalesced receipt").isTrue();

            HttpResponse<String> who = server.get("/api/channels/chat:receipts/receipts?seq=3");
            assertThat(who.statusCode()).isEqualTo(200);
            JsonNode body = parse(who.body());
            assertThat(body.path("read").path("count").asInt()).isEqualTo(1);
            assertThat(body.path("read").path("users").get(0).path("userId").asText()).isEqualTo("bob");
            assertThat(body.path("read").path("users").get(0).path("name").asText()).isEqualTo("bob");
            assertThat(body.path("delivered").path("count").asInt()).isEqualTo(1);
            JsonNode nobody = parse(server.get("/api/channels/chat:receipts/receipts?seq=4").body());
            assertThat(nobody.path("read").path("count").asInt()).isZero();
            assertThat(server.get("/api/channels/chat:receipts/receipts").statusCode()).isEqualTo(400);
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void receiptQueriesAndEventsNameReadersByTheirTokensNameClaim(TestStore store) {
        Map<String, String> config = new HashMap<>(store.fresh());
        config.put("auth.jwt.secret", TestTokens.SECRET);
        try (TestServer server = TestServer.start(config);
             WsClient alice = server.connectWithToken(TestTokens.forUser("u-alice", c -> c.claim("name", "Alice")));
             WsClient bob = server.connectWithToken(TestTokens.forUser("u-bob", c -> c.claim("name", "Bob")));
             WsClient carol = server.connectWithToken(TestTokens.forUser("u-carol"))) {
            alice.subscribe("chat:names");
            alice.request(messageSend("chat:names", "n1", "who reads this?"));
            bob.send(receipt("chat:names", "read", 1));
            JsonNode event = alice.nextOfType("receipt");
            assertThat(event.path("payload").path("name").asText()).isEqualTo("Bob");
            carol.send(receipt("chat:names", "read", 1));
            carol.request(command("ping"));

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode body = parse(server.get("/api/channels/chat:names/receipts?seq=1").body());
                assertThat(body.path("read").path("count").asInt()).isEqualTo(2);
                List<String> names = new ArrayList<>();
                body.path("read").path("users").forEach(u -> names.add(u.path("userId").asText() + "="
                        + u.path("name").asText()));
                // a token without a name claim is named by its user id
                assertThat(names).containsExactly("u-bob=Bob", "u-carol=u-carol");
            });
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void unreadCountsMessagesOfOthersAfterTheReadCursorPerChannel(TestStore store) {
        try (TestServer server = TestServer.start(store.fresh());
             WsClient alice = server.connect("alice"); WsClient carol = server.connect("carol")) {
            for (int i = 1; i <= 4; i++) {
                alice.request(messageSend("chat:one", "a" + i, "hi " + i));
            }
            carol.request(messageSend("chat:one", "c1", "mine"));
            alice.request(messageSend("chat:two", "b1", "other channel"));
            carol.send(receipt("chat:one", "read", 1));
            carol.send(receipt("chat:two", "delivered", 1));
            carol.request(command("ping"));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                JsonNode unread = parse(server.get("/api/users/carol/unread").body());
                assertThat(unread.path("userId").asText()).isEqualTo("carol");
                assertThat(unread.path("channels").path("chat:one").asLong()).isEqualTo(3);
                assertThat(unread.path("channels").path("chat:two").asLong()).isEqualTo(1);
            });
            JsonNode bad = carol.request(receipt("chat:one", "seen", 1));
            assertThat(bad.path("payload").path("code").asText()).isEqualTo("bad_request");
            assertThat(server.get("/api/users/carol/other").statusCode()).isEqualTo(404);
        }
    }

    /** Every frame up to the answer to a ping: the server has handled everything sent before it. */
    private static List<JsonNode> framesWithin(WsClient client, Duration window) {
        List<JsonNode> frames = new ArrayList<>();
        long deadline = System.nanoTime() + window.toNanos();
        for (long left = window.toNanos(); left > 0; left = deadline - System.nanoTime()) {
            JsonNode frame = client.poll(Duration.ofNanos(left));
            if (frame != null) {
                frames.add(frame);
            }
        }
        return frames;
    }

    private static List<JsonNode> untilPong(WsClient client) {
        String id = client.send(command("ping"));
        List<JsonNode> frames = new ArrayList<>();
        while (true) {
            JsonNode frame = client.poll(Duration.ofSeconds(20));
            assertThat(frame).as("pong").isNotNull();
            if (id.equals(frame.path("requestId").asText())) {
                return frames;
            }
            frames.add(frame);
        }
    }

    private static ObjectNode receipt(String channel, String kind, long upTo) {
        ObjectNode receipt = command("receipt").put("channel", channel);
        receipt.putObject("payload").put("kind", kind).put("upTo", upTo);
        return receipt;
    }

    private static JsonNode parse(String body) {
        try {
            return WsClient.JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }
}
