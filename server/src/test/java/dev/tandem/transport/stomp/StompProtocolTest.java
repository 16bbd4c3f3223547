package dev.tandem.transport.stomp;

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

class StompProtocolTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        // Users send to each other's /user/NAME/queue/… inboxes here: open user:* to authenticated publishers.
        server = TestServer.start(Map.of("namespaces.user.access.publish", "authenticated"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void connectedNegotiatesVersionAndHeartBeatsWithoutSpacesAndNamesTheUser() {
        try (RawStompClient client = RawStompClient.open(RawStompClient.uri(server, "user=alice"), "v12.stomp", "v11.stomp")) {
            assertThat(client.subprotocol()).isEqualTo("v12.stomp");
            client.send("CONNECT\naccept-version:1.0,1.1,1.2\nhost:localhost\nheart-beat:10000, 10000\n\n\0");
            StompFrame connected = client.expect("CONNECTED");
            assertThat(connected.header("version")).isEqualTo("1.2");
            assertThat(connected.header("heart-beat")).isEqualTo("25000,25000");
            assertThat(connected.header("user-name")).isEqualTo("alice");
            assertThat(connected.header("server")).startsWith("Tandem/");
            assertThat(connected.header("session")).startsWith("c_");
        }
    }

    @Test
    void connectHeadersThatAreNotValidHttpHeadersDoNotStopTheConnection() {
        try (RawStompClient client = RawStompClient.open(RawStompClient.uri(server, "user=odd"), "v12.stomp")) {
            client.send("CONNECT\naccept-version:1.2\nodd name:x\nx-\u00e9t\u00e9:\u00e9\n\n\0");
            assertThat(client.expect("CONNECTED").header("user-name")).isEqualTo("odd");
        }
    }

    @Test
    void aClientOfferingNoSubprotocolConnectsWithTheVersionItAccepts() {
        try (RawStompClient client = RawStompClient.open(RawStompClient.uri(server, ""))) {
            assertThat(client.subprotocol()).isEmpty();
            client.send("STOMP\naccept-version:1.1\n\n\0");
            StompFrame connected = client.expect("CONNECTED");
            assertThat(connected.header("version")).isEqualTo("1.1");
            assertThat(connected.header("user-name")).startsWith("anon-");
        }
    }

    @Test
    void framesSplitAcrossMessagesOrPackedWithHeartBeatsIntoOneAreAllProcessed() {
        try (RawStompClient client = RawStompClient.open(RawStompClient.uri(server, "user=split"), "v12.stomp")) {
            client.send("CONN");
            client.send("ECT\naccept-version:1.2\nhea");
            client.send("rt-beat:0,0\n\n\0\n");
            client.expect("CONNECTED");
            client.send("\nSUBSCRIBE\nid:s1\ndestination:/topic/split.test\nreceipt:r1\n\n\0\n\nSEND\ndestination:/topic/split.test\n"
                    + "receipt:r2\n\none\0SEND\ndestination:/topic/split.test\n\ntw");
            client.receipt("r1");
            // The receipt is a control frame: it may overtake the message it published.
            List<StompFrame> frames = List.of(client.next(), client.next());
            assertThat(frames).filteredOn(f -> f.command().equals("MESSAGE")).singleElement()
                    .extracting(StompFrame::bodyText).isEqualTo("one");
            assertThat(frames).filteredOn(f -> "r2".equals(f.header("receipt-id"))).singleElement()
                    .extracting(f -> f.header("tandem-seq")).isEqualTo("1");
            client.send("o\0");
            StompFrame second = client.expect("MESSAGE");
            assertThat(second.bodyText()).isEqualTo("two");
            assertThat(second.header("subscription")).isEqualTo("s1");
            assertThat(second.header("destination")).isEqualTo("/topic/split.test");
            assertThat(second.header("message-id")).isEqualTo("split:test@2");
            assertThat(second.header("tandem-seq")).isEqualTo("2");
            assertThat(second.header("content-length")).isEqualTo("3");
            assertThat(second.header("content-type")).startsWith("text/plain");
            assertThat(second.header("ack")).isNull();
        }
    }

    @Test
    void escapedHeadersRoundTripAndAnUndefinedEscapeGetsAnErrorThenAClose() {
        try (RawStompClient client = RawStompClient.connected(server, "escaper")) {
            client.frame("SUBSCRIBE", "", "id", "a\\cb\\\\c", "destination", "/topic/esc\\cone", "receipt", "r1");
            client.receipt("r1");
            client.frame("SEND", "{\"n\":1}", "destination", "esc\\cone", "content-type", "application/json");
            StompFrame message = client.expect("MESSAGE");
            assertThat(message.header("subscription")).isEqualTo("a:b\\c");
            assertThat(message.header("destination")).isEqualTo("/topic/esc:one");
            assertThat(message.header("content-type")).isEqualTo("application/json");
            assertThat(message.bodyText()).isEqualTo("{\"n\":1}");

            client.frame("SEND", "x", "destination", "/topic/esc\\tone", "receipt", "bad");
            StompFrame error = client.expect("ERROR");
            assertThat(error.header("message")).contains("undefined header escape");
            assertThat(client.closed()).succeedsWithin(Duration.ofSeconds(10));
        }
    }

    @Test
    void aMalformedFrameGetsAnErrorThenAClose() {
        try (RawStompClient client = RawStompClient.connected(server, "malformed")) {
            client.send("SEND\ndestination/topic/x\n\nbody\0");
            StompFrame error = client.expect("ERROR");
            assertThat(error.header("message")).contains("without 'name:value'");
            assertThat(error.bodyText()).contains("without 'name:value'");
            assertThat(client.closed()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(4008);
        }
    }

    @Test
    void aFirstFrameOtherThanConnectGetsAnErrorWithItsReceiptThenAClose() {
        try (RawStompClient client = RawStompClient.open(RawStompClient.uri(server, ""), "v12.stomp")) {
            client.frame("SUBSCRIBE", "", "id", "1", "destination", "/topic/x", "receipt", "early");
            StompFrame error = client.expect("ERROR");
            assertThat(error.header("message")).contains("first frame must be CONNECT");
            assertThat(error.header("receipt-id")).isEqualTo("early");
            assertThat(client.closed()).succeedsWithin(Duration.ofSeconds(10));
        }
    }

    @Test
    void anInvalidDestinationGetsAnErrorThenAClose() {
        try (RawStompClient client = RawStompClient.connected(server, "lost")) {
            client.frame("SUBSCRIBE", "", "id", "1", "destination", "/topic/not valid", "receipt", "r");
            StompFrame error = client.expect("ERROR");
            assertThat(error.header("message")).contains("is not a valid channel");
            assertThat(error.header("receipt-id")).isEqualTo("r");
            assertThat(client.closed()).succeedsWithin(Duration.ofSeconds(10));
        }
    }

    @Test
    void everyFrameWithAReceiptIsAnsweredIncludingDisconnectAfterWhichTheServerCloses() {
        try (RawStompClient client = RawStompClient.connected(server, "receipts")) {
            client.frame("SUBSCRIBE", "", "id", "s", "destination", "/topic/receipts.a", "receipt", "1");
            client.receipt("1");
            client.frame("BEGIN", "", "transaction", "t", "receipt", "2");
            client.receipt("2");
            client.frame("ABORT", "", "transaction", "t", "receipt", "3");
            client.receipt("3");
            client.frame("UNSUBSCRIBE", "", "id", "s", "receipt", "4");
            client.receipt("4");
            client.frame("DISCONNECT", "", "receipt", "5");
            client.receipt("5");
            assertThat(client.closed()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(1000);
        }
    }

    @Test
    void aContentLengthBodyWithNulsReachesANativeSubscriberIntact() {
        try (RawStompClient stomp = RawStompClient.connected(server, "nul"); WsClient nativeClient = server.connect("n")) {
            nativeClient.connected();
            nativeClient.subscribe("bin:nul");
            stomp.send("SEND\ndestination:/topic/bin.nul\ncontent-length:5\n\na\0b\0c\0");
            JsonNode publication = nativeClient.nextOfType("publication");
            assertThat(publication.path("payload").textValue()).isEqualTo("a\0b\0c");
        }
    }

    @Test
    void sendsInATransactionArePublishedOnlyOnCommitAndAbortedOnesNever() {
        try (RawStompClient stomp = RawStompClient.connected(server, "tx"); WsClient watcher = server.connect("w")) {
            watcher.connected();
            watcher.subscribe("tx:orders");
            stomp.frame("BEGIN", "", "transaction", "t1");
            stomp.frame("SEND", "first", "destination", "/topic/tx.orders", "transaction", "t1");
            stomp.frame("SEND", "second", "destination", "/topic/tx.orders", "transaction", "t1", "receipt", "buffered");
            stomp.receipt("buffered");
            assertThat(watcher.poll(Duration.ofMillis(300))).isNull();
            stomp.frame("BEGIN", "", "transaction", "t2");
            stomp.frame("SEND", "never", "destination", "/topic/tx.orders", "transaction", "t2");
            stomp.frame("ABORT", "", "transaction", "t2");
            stomp.frame("COMMIT", "", "transaction", "t1", "receipt", "committed");
            stomp.receipt("committed");
            assertThat(watcher.nextOfType("publication").path("payload").asText()).isEqualTo("first");
            assertThat(watcher.nextOfType("publication").path("payload").asText()).isEqualTo("second");
            stomp.frame("SEND", "after", "destination", "/topic/tx.orders", "receipt", "r");
            stomp.receipt("r");
            assertThat(watcher.nextOfType("publication").path("payload").asText()).isEqualTo("after");
            stomp.frame("COMMIT", "", "transaction", "t2");
            assertThat(stomp.expect("ERROR").header("message")).contains("no open transaction");
        }
    }

    @Test
    void clientAckModeRedeliversOnNackAndAckCoversEveryEarlierMessage() {
        try (RawStompClient stomp = RawStompClient.connected(server, "acker")) {
            stomp.frame("SUBSCRIBE", "", "id", "s", "destination", "/topic/ack.client", "ack", "client", "receipt", "r");
            stomp.receipt("r");
            for (int i = 1; i <= 3; i++) {
                server.post("/api/publish", "{\"channel\":\"ack:client\",\"payload\":" + i + "}");
            }
            StompFrame one = stomp.expect("MESSAGE");
            StompFrame two = stomp.expect("MESSAGE");
            StompFrame three = stomp.expect("MESSAGE");
            assertThat(one.header("ack")).isEqualTo(one.header("message-id")).isEqualTo("ack:client@1");
            stomp.frame("NACK", "", "id", two.header("ack"), "receipt", "n");
            assertThat(stomp.expect("MESSAGE").bodyText()).isEqualTo("1");
            assertThat(stomp.expect("MESSAGE").bodyText()).isEqualTo("2");
            stomp.receipt("n");
            stomp.frame("ACK", "", "id", three.header("ack"));
            stomp.frame("NACK", "", "id", one.header("ack"), "receipt", "none-left");
            stomp.receipt("none-left");
        }
    }

    @Test
    void clientIndividualAckModeSettlesOneMessageAtATime() {
        try (RawStompClient stomp = RawStompClient.connected(server, "individual")) {
            stomp.frame("SUBSCRIBE", "", "id", "s", "destination", "/topic/ack.individual", "ack", "client-individual", "receipt", "r");
            stomp.receipt("r");
            server.post("/api/publish", "{\"channel\":\"ack:individual\",\"payload\":{\"n\":1}}");
            server.post("/api/publish", "{\"channel\":\"ack:individual\",\"payload\":{\"n\":2}}");
            StompFrame one = stomp.expect("MESSAGE");
            StompFrame two = stomp.expect("MESSAGE");
            stomp.frame("ACK", "", "id", two.header("ack"));
            stomp.frame("NACK", "", "id", one.header("ack"), "receipt", "n1");
            assertThat(stomp.expect("MESSAGE").bodyText()).isEqualTo("{\"n\":1}");
            stomp.receipt("n1");
            stomp.frame("NACK", "", "id", two.header("ack"), "receipt", "n2");
            stomp.receipt("n2");
        }
    }

    @Test
    void aStompAndANativeClientExchangeMessagesBothWaysAndSeeTheSameOrder() throws Exception {
        try (RawStompClient stomp = RawStompClient.connected(server, "spring-user");
             WsClient nativeClient = server.connect("native-user")) {
            nativeClient.connected();
            nativeClient.subscribe("chat:general");
            stomp.frame("SUBSCRIBE", "", "id", "dots", "destination", "/topic/chat.general", "receipt", "r1");
            stomp.receipt("r1");
            stomp.frame("SUBSCRIBE", "", "id", "colon", "destination", "/topic/chat:general", "receipt", "r2");
            stomp.receipt("r2");
            for (int i = 0; i < 20; i++) {
                if (i % 2 == 0) {
                    stomp.frame("SEND", "{\"i\":" + i + "}", "destination", "/app/chat.general", "content-type", "application/json");
                } else {
                    nativeClient.send(WsClient.command("publish").put("channel", "chat:general")
                            .set("payload", WsClient.JSON.createObjectNode().put("i", i)));
                }
            }
            java.util.List<String> nativeOrder = new java.util.ArrayList<>();
            while (nativeOrder.size() < 20) {
                JsonNode p = nativeClient.nextOfType("publication");
                nativeOrder.add(p.path("seq").asLong() + "=" + p.path("payload").path("i").asInt()
                        + "/" + p.path("userId").asText());
            }
            java.util.List<String> dots = new java.util.ArrayList<>();
            java.util.List<String> colon = new java.util.ArrayList<>();
            while (dots.size() + colon.size() < 40) {
                StompFrame m = stomp.expect("MESSAGE");
                String entry = m.header("tandem-seq") + "=" + WsClient.JSON.readTree(m.body()).path("i").asInt()
                        + "/" + m.header("tandem-user");
                (m.header("subscription").equals("dots") ? dots : colon).add(entry);
            }
            assertThat(dots).isEqualTo(nativeOrder).isEqualTo(colon);
            assertThat(nativeOrder).hasSize(20).anyMatch(e -> e.endsWith("/spring-user")).anyMatch(e -> e.endsWith("/native-user"));
            for (int seq = 1; seq <= 20; seq++) {
                assertThat(nativeOrder.get(seq - 1)).startsWith(seq + "=");
            }
        }
    }

    @Test
    void userQueueSubscriptionsReceiveWhatIsPublishedToTheUsersPrivateChannelOnEveryConnection() {
        try (RawStompClient first = RawStompClient.connected(server, "carol");
             RawStompClient second = RawStompClient.connected(server, "carol");
             RawStompClient other = RawStompClient.connected(server, "dave")) {
            first.frame("SUBSCRIBE", "", "id", "1", "destination", "/user/queue/notifications", "receipt", "r");
            first.receipt("r");
            second.frame("SUBSCRIBE", "", "id", "1", "destination", "/user/queue/notifications", "receipt", "r");
            second.receipt("r");
            other.frame("SUBSCRIBE", "", "id", "1", "destination", "/user/queue/notifications", "receipt", "r");
            other.receipt("r");
            server.post("/api/publish", "{\"channel\":\"user:carol\",\"payload\":\"for carol\"}");
            other.frame("SEND", "from dave", "destination", "/user/carol/queue/notifications");
            for (RawStompClient carol : new RawStompClient[] {first, second}) {
                StompFrame message = carol.expect("MESSAGE");
                assertThat(message.header("destination")).isEqualTo("/user/queue/notifications");
                assertThat(message.bodyText()).isEqualTo("for carol");
                assertThat(carol.expect("MESSAGE").bodyText()).isEqualTo("from dave");
            }
            assertThat(other.poll(Duration.ofMillis(300))).isNull();
        }
    }

    @Test
    void aSubscribeWithTandemSinceRecoversMissedMessagesBeforeLiveOnes() {
        String seq;
        String epoch;
        try (RawStompClient stomp = RawStompClient.connected(server, "recover")) {
            stomp.frame("SUBSCRIBE", "", "id", "s", "destination", "/topic/recover.me", "receipt", "r");
            StompFrame receipt = stomp.receipt("r");
            server.post("/api/publish", "{\"channel\":\"recover:me\",\"payload\":\"seen\"}");
            StompFrame seen = stomp.expect("MESSAGE");
            seq = seen.header("tandem-seq");
            epoch = receipt.header("tandem-epoch");
            assertThat(receipt.header("tandem-recovered")).isEqualTo("false");
        }
        server.post("/api/publish", "{\"channel\":\"recover:me\",\"payload\":\"missed 1\"}");
        server.post("/api/publish", "{\"channel\":\"recover:me\",\"payload\":\"missed 2\"}");
        try (RawStompClient stomp = RawStompClient.connected(server, "recover")) {
            stomp.frame("SUBSCRIBE", "", "id", "s", "destination", "/topic/recover.me", "receipt", "r",
                    "tandem-since-seq", seq, "tandem-since-epoch", epoch);
            StompFrame receipt = stomp.receipt("r");
            assertThat(receipt.header("tandem-recovered")).isEqualTo("true");
            assertThat(stomp.expect("MESSAGE").bodyText()).isEqualTo("missed 1");
            assertThat(stomp.expect("MESSAGE").bodyText()).isEqualTo("missed 2");
            server.post("/api/publish", "{\"channel\":\"recover:me\",\"payload\":\"live\"}");
            assertThat(stomp.expect("MESSAGE").bodyText()).isEqualTo("live");
        }
    }

    @Test
    void aDisconnectedClientLeavesEveryChannel() {
        RawStompClient stomp = RawStompClient.connected(server, "leaver");
        stomp.frame("SUBSCRIBE", "", "id", "s", "destination", "/topic/leave.now", "receipt", "r");
        stomp.receipt("r");
        assertThat(subscribers("leave:now")).isEqualTo(1);
        stomp.close();
        org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> subscribers("leave:now") == 0);
    }

    private static int subscribers(String channel) {
        return server.server().hub().channels().stream().filter(c -> c.name().equals(channel))
                .mapToInt(c -> c.subscribers()).sum();
    }
}
