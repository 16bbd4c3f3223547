package dev.tandem.transport.poll;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.RawHttp;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PollTransportTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("transports.pollSessionTimeout", "3s", "transports.pollMaxWait", "5s",
                "limits.outboundQueueFrames", "16"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** One poll: the parsed body, or an AssertionError with the status. */
    static JsonNode poll(String user, String cursor, long wait) {
        String target = "/poll?user=" + user + "&wait=" + wait
                + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor, StandardCharsets.UTF_8));
        try (RawHttp http = RawHttp.get(server.port(), target)) {
            String body = http.readBody();
            assertThat(http.status()).as(body).isEqualTo(200);
            assertThat(http.header("content-type")).startsWith("application/json");
            return WsClient.JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static String session(JsonNode firstPoll) {
        return firstPoll.path("frames").get(0).path("payload").path("connectionId").asText();
    }

    static void post(String user, String session, String body) {
        assertThat(server.post("/session/" + session + "?user=" + user, body).statusCode()).isEqualTo(202);
    }

    static List<JsonNode> frames(JsonNode response) {
        List<JsonNode> frames = new ArrayList<>();
        response.path("frames").forEach(frames::add);
        return frames;
    }

    @Test
    void theFirstPollOpensASessionAndReturnsConnectedWithACursor() {
        JsonNode first = poll("first", null, 0);
        assertThat(frames(first)).extracting(f -> f.path("type").asText()).containsExactly("connected");
        assertThat(first.path("cursor").asText()).isEqualTo("1!" + session(first) + "!1");
    }

    @Test
    void aLongPollWaitsAndAnswersAsSoonAsAFrameArrives() {
        JsonNode first = poll("waiter", null, 0);
        post("waiter", session(first), command("subscribe").put("channel", "poll:wait").toString());
        JsonNode subscribed = poll("waiter", first.path("cursor").asText(), 5000);
        assertThat(frames(subscribed)).extracting(f -> f.path("type").asText()).containsExactly("subscribed");
        long started = System.nanoTime();
        CompletableFuture<JsonNode> waiting = CompletableFuture.supplyAsync(
                () -> poll("waiter", subscribed.path("cursor").asText(), 5000));
        sleep(300);
        assertThat(waiting).isNotDone();
        server.server().hub().publish("poll:wait", WsClient.JSON.createObjectNode().put("x", 1), null);
        JsonNode published = waiting.join();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(4));
        assertThat(frames(published)).extracting(f -> f.path("seq").asLong()).containsExactly(1L);
    }

    @Test
    void aPollThatWaitsInVainReturnsNoFramesAndTheSameCursor() {
        JsonNode first = poll("vain", null, 0);
        long started = System.nanoTime();
        JsonNode empty = poll("vain", first.path("cursor").asText(), 300);
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        assertThat(frames(empty)).isEmpty();
        assertThat(empty.path("cursor").asText()).isEqualTo(first.path("cursor").asText());
    }

    @Test
    void aLostResponseIsSentAgainWhenTheNextPollRepeatsTheOldCursor() {
        JsonNode first = poll("lost", null, 0);
        String before = first.path("cursor").asText();
        post("lost", session(first), command("ping").put("requestId", "p1").toString());
        JsonNode delivered = poll("lost", before, 5000);
        JsonNode again = poll("lost", before, 5000);
        assertThat(again).isEqualTo(delivered);
        assertThat(frames(again)).extracting(f -> f.path("type").asText()).containsExactly("pong");
        post("lost", session(first), command("ping").put("requestId", "p2").toString());
        JsonNode next = poll("lost", again.path("cursor").asText(), 5000);
        assertThat(frames(next)).extracting(f -> f.path("requestId").asText()).containsExactly("p2");
    }

    @Test
    void ofTwoConcurrentPollsTheLaterSupersedesTheEarlierWhichReturnsEmpty() {
        JsonNode first = poll("twice", null, 0);
        String cursor = first.path("cursor").asText();
        CompletableFuture<JsonNode> one = CompletableFuture.supplyAsync(() -> poll("twice", cursor, 5000));
        sleep(300);
        CompletableFuture<JsonNode> other = CompletableFuture.supplyAsync(() -> poll("twice", cursor, 5000));
        // Whichever reached the server first is answered empty as soon as the other arrives.
        JsonNode superseded = CompletableFuture.anyOf(one, other).thenApply(JsonNode.class::cast).join();
        assertThat(frames(superseded)).isEmpty();
        post("twice", session(first), command("ping").toString());
        JsonNode answered = (one.join() == superseded ? other : one).join();
        assertThat(frames(answered)).extracting(f -> f.path("type").asText()).containsExactly("pong");
    }

    @Test
    void anIdleSessionExpiresAndThePollAfterResumesItsSubscriptionsWithRecovery() {
        JsonNode first = poll("idle", null, 0);
        String session = session(first);
        post("idle", session, command("subscribe").put("channel", "poll:idle").toString());
        JsonNode subscribed = poll("idle", first.path("cursor").asText(), 5000);
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.server().sessions().find(session) == null);
        server.server().hub().publish("poll:idle", WsClient.JSON.createObjectNode(), null);
        JsonNode resumed = poll("idle", subscribed.path("cursor").asText(), 0);
        List<JsonNode> frames = frames(resumed);
        assertThat(frames).extracting(f -> f.path("type").asText()).containsExactly("connected", "subscribed", "publication");
        assertThat(frames.get(0).path("payload").path("connectionId").asText()).isNotEqualTo(session);
        assertThat(frames.get(1).path("payload").path("recovered").asBoolean()).isTrue();
        assertThat(frames.get(2).path("seq").asLong()).isEqualTo(1);
    }

    @Test
    void framesBetweenPollsAreBoundedAndAnOverflowLosesNoPublication() {
        JsonNode first = poll("flood", null, 0);
        String session = session(first);
        post("flood", session, command("subscribe").put("channel", "poll:flood").toString());
        JsonNode subscribed = poll("flood", first.path("cursor").asText(), 5000);
        for (int i = 0; i < 5; i++) {
            server.server().hub().publish("poll:flood", WsClient.JSON.createObjectNode().put("n", i), null);
        }
        // 5 publications + 20 replies, with nobody polling: more than the queue's 16 frames.
        post("flood", session, "[" + String.join(",", Collections.nCopies(20, "{\"type\":\"ping\"}")) + "]");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> server.server().sessions().find(session) == null);
        JsonNode resumed = poll("flood", subscribed.path("cursor").asText(), 0);
        assertThat(frames(resumed)).extracting(f -> f.path("type").asText())
                .containsExactly("connected", "subscribed", "publication", "publication", "publication", "publication",
                        "publication");
        assertThat(frames(resumed)).filteredOn(f -> f.has("seq")).extracting(f -> f.path("seq").asLong())
                .containsExactly(1L, 2L, 3L, 4L, 5L);
    }

    @Test
    void aWaitBeyondTheMaximumIsABadRequest() {
        try (RawHttp http = RawHttp.get(server.port(), "/poll?user=x&wait=60000")) {
            assertThat(http.status()).isEqualTo(400);
            assertThat(http.readBody()).contains("'wait' must be milliseconds from 0 to 5000");
        }
    }

    @Test
    void anotherUsersCursorDoesNotReachTheSession() {
        JsonNode alice = poll("alice", null, 0);
        JsonNode mallory = poll("mallory", alice.path("cursor").asText(), 0);
        assertThat(frames(mallory).get(0).path("payload").path("userId").asText()).isEqualTo("mallory");
        assertThat(session(mallory)).isNotEqualTo(session(alice));
        assertThat(server.server().sessions().find(session(alice))).isNotNull();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
