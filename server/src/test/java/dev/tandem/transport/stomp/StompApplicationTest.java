package dev.tandem.transport.stomp;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The {@code /app/…} handlers over a real STOMP connection: chat through the same service as the native
 * {@code message.*} commands, presence through {@code PresenceService}, with answers only as STOMP frames
 * ({@code RECEIPT}, {@code MESSAGE} on the reply destination, {@code ERROR}), never native JSON.
 */
class StompApplicationTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static void subscribe(RawStompClient client, String id, String destination) {
        client.frame("SUBSCRIBE", "", "id", id, "destination", destination, "receipt", "sub-" + id);
        client.receipt("sub-" + id);
    }

    static void sendJson(RawStompClient client, String destination, String body, String receipt) {
        client.frame("SEND", body, "destination", destination, "content-type", "application/json", "receipt", receipt);
    }

    static JsonNode json(StompFrame frame) throws Exception {
        return WsClient.JSON.readTree(frame.body());
    }

    @Test
    void chatSendIsIdempotentByClientMsgIdAndReceiptedAfterCommitWithAReplyOnTheReplyDestination() throws Exception {
        try (RawStompClient alice = RawStompClient.connected(server, "app-alice");
             WsClient watcher = server.connect("app-watcher")) {
            watcher.subscribe("chat:app-send");
            subscribe(alice, "room", "/topic/chat.app-send");
            subscribe(alice, "replies", "/user/queue/reply");
            String body = "{\"content\":\"hello\",\"clientMsgId\":\"c-1\"}";

            sendJson(alice, "/app/chat.send/chat.app-send", body, "send-1");
            List<StompFrame> first = alice.until(f -> f.command().equals("RECEIPT"));
            StompFrame receipt = first.get(first.size() - 1);
            assertThat(receipt.header("receipt-id")).isEqualTo("send-1");
            assertThat(receipt.header("tandem-duplicate")).isEqualTo("false");
            String id = receipt.header("tandem-message-id");
            long seq = Long.parseLong(receipt.header("tandem-seq"));
            assertThat(id).startsWith("m_");
            JsonNode stored = watcher.next(f -> "message.new".equals(f.path("type").asText()), "message.new");
            assertThat(stored.path("payload").path("content").asText()).isEqualTo("hello");
            assertThat(stored.path("payload").path("userId").asText()).isEqualTo("app-alice");
            // The receipt came after the commit: the stored history already has the message.
            JsonNode history = watcher.request(command("history").put("channel", "chat:app-send"));
            assertThat(history.path("payload").path("publications")).extracting(p -> p.path("seq").asLong()).contains(seq);
            StompFrame reply = first.stream().filter(f -> "replies".equals(f.header("subscription"))).findFirst().orElseThrow();
            assertThat(reply.command()).isEqualTo("MESSAGE");
            assertThat(reply.header("destination")).isEqualTo("/user/queue/reply");
            assertThat(reply.header("tandem-type")).isEqualTo("ack");
            assertThat(json(reply).path("id").asText()).isEqualTo(id);

            sendJson(alice, "/app/chat.send/chat.app-send", body, "send-2");
            List<StompFrame> second = alice.until(f -> f.command().equals("RECEIPT"));
            StompFrame retry = second.get(second.size() - 1);
            assertThat(retry.header("tandem-duplicate")).isEqualTo("true");
            assertThat(retry.header("tandem-message-id")).isEqualTo(id);
            assertThat(retry.header("tandem-seq")).isEqualTo(Long.toString(seq));

            watcher.request(command("ping"));
            assertThat(watcher.drain()).noneMatch(f -> "message.new".equals(f.path("type").asText()));
            alice.frame("SEND", "", "destination", "/app/presence.leave/chat.app-send-none", "receipt", "fence");
            List<StompFrame> all = new java.util.ArrayList<>(first);
            all.addAll(second);
            all.addAll(alice.until(f -> f.command().equals("ERROR")));
            List<StompFrame> roomMessages = all.stream().filter(f -> "room".equals(f.header("subscription"))).toList();
            assertThat(roomMessages).hasSize(1);
            assertThat(roomMessages.get(0).header("tandem-type")).isEqualTo("message.new");
        }
    }

    @Test
    void chatSendTakesATextBodyWithAClientMsgIdHeaderThenEditAndDeleteByTheAuthor() throws Exception {
        try (RawStompClient bob = RawStompClient.connected(server, "app-bob");
             WsClient watcher = server.connect("app-watcher2")) {
            watcher.subscribe("chat:app-edit");
            bob.frame("SEND", "first draft", "destination", "/app/chat.send/chat:app-edit", "client-msg-id", "t-1",
                    "receipt", "s");
            StompFrame sent = bob.receipt("s");
            String id = sent.header("tandem-message-id");
            assertThat(watcher.nextOfType("message.new").path("payload").path("content").asText()).isEqualTo("first draft");

            sendJson(bob, "/app/chat.edit/chat.app-edit", "{\"id\":\"" + id + "\",\"content\":\"final\"}", "e");
            assertThat(Long.parseLong(bob.receipt("e").header("tandem-seq"))).isGreaterThan(Long.parseLong(sent.header("tandem-seq")));
            assertThat(watcher.nextOfType("message.edit").path("payload").path("content").asText()).isEqualTo("final");

            sendJson(bob, "/app/chat.delete/chat.app-edit", "{\"id\":\"" + id + "\"}", "d");
            bob.receipt("d");
            assertThat(watcher.nextOfType("message.delete").path("payload").path("id").asText()).isEqualTo(id);
        }
    }

    @Test
    void editingSomeoneElsesMessageIsAnErrorFrameWithTheNativeCodeThenAClose() throws Exception {
        try (WsClient author = server.connect("app-author");
             RawStompClient mallory = RawStompClient.connected(server, "app-mallory")) {
            JsonNode ack = author.request(WsClient.messageSend("chat:app-forbid", "x-1", "mine"));
            String id = ack.path("payload").path("id").asText();
            sendJson(mallory, "/app/chat.edit/chat.app-forbid", "{\"id\":\"" + id + "\",\"content\":\"hijacked\"}", "e");
            StompFrame error = mallory.expect("ERROR");
            assertThat(error.header("receipt-id")).isEqualTo("e");
            assertThat(error.header("tandem-code")).isEqualTo("forbidden");
            assertThat(mallory.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4008);
        }
    }

    @Test
    void chatSendToAChannelWithoutDurableHistoryIsRefusedWithAnErrorFrameNotJson() {
        try (RawStompClient client = RawStompClient.connected(server, "app-carol")) {
            sendJson(client, "/app/chat.send/lobby.memory", "{\"content\":\"x\",\"clientMsgId\":\"1\"}", "r");
            StompFrame error = client.expect("ERROR");
            assertThat(error.header("tandem-code")).isEqualTo("bad_request");
            assertThat(error.header("receipt-id")).isEqualTo("r");
            assertThat(error.header("message")).contains("durable history");
        }
    }

    @Test
    void presenceJoinRepliesWithTheMemberListAndOthersSeeJoinHeartbeatAndLeave() throws Exception {
        String channel = "room:app-presence";
        try (WsClient native_ = server.connect("app-native");
             RawStompClient stomp = RawStompClient.connected(server, "app-stomp")) {
            native_.subscribe(channel);
            native_.request(command("presence:join").put("channel", channel));
            subscribe(stomp, "room", "/topic/room.app-presence");
            subscribe(stomp, "mine", "/user/queue/presence");

            sendJson(stomp, "/app/presence.join/room.app-presence", "{\"state\":{\"name\":\"Stomp\"}}", "j");
            stomp.frame("SEND", "", "destination", "/app/presence.join/room.app-presence", "reply-to",
                    "/user/queue/presence", "receipt", "j2");
            List<StompFrame> frames = stomp.until(f -> "j2".equals(f.header("receipt-id")));
            assertThat(frames).extracting(StompFrame::command).doesNotContain("ERROR");
            assertThat(frames).anyMatch(f -> "j".equals(f.header("receipt-id")));
            StompFrame sync = frames.stream().filter(f -> "mine".equals(f.header("subscription"))).findFirst().orElseThrow();
            assertThat(sync.header("tandem-type")).isEqualTo("presence:sync");
            assertThat(json(sync).path("users")).extracting(u -> u.path("id").asText())
                    .containsExactlyInAnyOrder("app-native", "app-stomp");
            JsonNode joined = native_.next(f -> "presence:join".equals(f.path("type").asText())
                    && "app-stomp".equals(f.path("payload").path("id").asText()), "join of the STOMP user");
            assertThat(joined.path("payload").path("state").path("name").asText()).isEqualTo("Stomp");

            stomp.frame("SEND", "", "destination", "/app/presence.heartbeat/room.app-presence", "receipt", "h");
            stomp.until(f -> "h".equals(f.header("receipt-id")));
            stomp.frame("SEND", "", "destination", "/app/presence.leave/room.app-presence", "receipt", "l");
            stomp.until(f -> "l".equals(f.header("receipt-id")));
            native_.next(f -> "presence:leave".equals(f.path("type").asText())
                    && "app-stomp".equals(f.path("payload").path("id").asText()), "leave of the STOMP user");
        }
    }

    @Test
    void presenceJoinWithoutASubscriptionIsForbidden() {
        try (RawStompClient client = RawStompClient.connected(server, "app-dave")) {
            client.frame("SEND", "", "destination", "/app/presence.join/room.app-unsubscribed", "receipt", "j");
            StompFrame error = client.expect("ERROR");
            assertThat(error.header("tandem-code")).isEqualTo("forbidden");
            assertThat(error.header("message")).contains("subscribe to room:app-unsubscribed");
        }
    }

    @Test
    void unsubscribingTheLastSubscriptionOfAChannelLeavesItsPresence() {
        String channel = "room:app-unsub";
        try (WsClient native_ = server.connect("app-native2");
             RawStompClient stomp = RawStompClient.connected(server, "app-stomp2")) {
            native_.subscribe(channel);
            subscribe(stomp, "a", "/topic/room.app-unsub");
            subscribe(stomp, "b", "/topic/room:app-unsub");
            stomp.frame("SEND", "", "destination", "/app/presence.join/room.app-unsub", "receipt", "j");
            stomp.until(f -> "j".equals(f.header("receipt-id")));
            native_.next(f -> "presence:join".equals(f.path("type").asText()), "join");
            stomp.frame("UNSUBSCRIBE", "", "id", "a", "receipt", "u1");
            stomp.until(f -> "u1".equals(f.header("receipt-id")));
            native_.request(command("ping"));
            assertThat(native_.drain()).noneMatch(f -> "presence:leave".equals(f.path("type").asText()));
            stomp.frame("UNSUBSCRIBE", "", "id", "b", "receipt", "u2");
            stomp.until(f -> "u2".equals(f.header("receipt-id")));
            native_.next(f -> "presence:leave".equals(f.path("type").asText()), "leave after the last unsubscribe");
        }
    }

    @Test
    void aSendToAppWithoutAHandlerNamePublishesToTheMappedChannel() {
        try (WsClient native_ = server.connect("app-native3");
             RawStompClient stomp = RawStompClient.connected(server, "app-stomp3")) {
            native_.subscribe("news:app");
            sendJson(stomp, "/app/news.app", "{\"n\":1}", "p");
            assertThat(stomp.receipt("p").header("tandem-seq")).isEqualTo("1");
            assertThat(native_.nextOfType("publication").path("payload").path("n").asInt()).isEqualTo(1);
            assertThat(stomp.poll(Duration.ofMillis(200))).isNull();
        }
    }
}
