package dev.tandem.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ack: required} channels: what a user has not confirmed comes again, on resubscribe even past the
 * client's {@code since}, and after {@code ackTimeout} while connected (a bounded number of times); the server
 * API reports each user's lag.
 */
class AcknowledgedDeliveryTest {
    static final Map<String, String> ACKED = Map.of(
            "namespaces.orders.ack", "required", "namespaces.orders.ackTimeout", "1s",
            "namespaces.orders.maxRedeliveries", "2",
            "namespaces.ledger.ack", "required", "namespaces.ledger.history", "durable",
            "namespaces.ledger.ackTimeout", "1h");

    @Test
    void aResubscribeReplaysWhatTheUserDidNotConfirmEvenPastTheSinceItSends() {
        try (TestServer server = TestServer.start(ACKED)) {
            String epoch;
            try (WsClient first = server.connect("bob")) {
                JsonNode subscribed = first.subscribe("orders:1");
                assertThat(subscribed.path("payload").path("ack").asBoolean()).isTrue();
                epoch = subscribed.path("payload").path("epoch").asText();
                publish(server, "orders:1", 5);
                assertThat(seqs(first, 5)).containsExactly(1L, 2L, 3L, 4L, 5L);
                confirm(first, "orders:1", 2);
                first.abort();
            }
            try (WsClient second = server.connect("bob")) {
                JsonNode resumed = second.subscribe("orders:1", 5, epoch);
                assertThat(resumed.path("payload").path("recovered").asBoolean()).isTrue();
                assertThat(resumed.path("payload").path("from").asLong()).as("replayed from the last confirmed").isEqualTo(2);
                assertThat(seqs(second, 3)).containsExactly(3L, 4L, 5L);
                confirm(second, "orders:1", 5);
            }
            try (WsClient third = server.connect("bob")) {
                third.subscribe("orders:1", 5, epoch);
                assertThat(third.poll(Duration.ofMillis(300))).isNull();
            }
        }
    }

    @Test
    void unconfirmedPublicationsAreRedeliveredAfterTheTimeoutABoundedNumberOfTimes() {
        try (TestServer server = TestServer.start(ACKED); WsClient client = server.connect("carol")) {
            client.subscribe("orders:2");
            publish(server, "orders:2", 3);
            assertThat(seqs(client, 3)).containsExactly(1L, 2L, 3L);
            confirm(client, "orders:2", 1);

            JsonNode again = client.nextOfType("publication");
            assertThat(again.path("seq").asLong()).as("first redelivery").isEqualTo(2);
            assertThat(again.path("redelivered").asBoolean()).isTrue();
            assertThat(client.nextOfType("publication").path("seq").asLong()).isEqualTo(3);
            assertThat(seqs(client, 2)).as("second redelivery").containsExactly(2L, 3L);
            assertThat(client.poll(Duration.ofMillis(2500))).as("no more than maxRedeliveries").isNull();
            assertThat(server.server().metrics().redeliveries().count()).isEqualTo(4.0);

            publish(server, "orders:2", 4);
            assertThat(seqs(client, 1)).containsExactly(4L);
            confirm(client, "orders:2", 4);
            assertThat(client.poll(Duration.ofMillis(2500))).as("all confirmed: nothing comes again").isNull();
        }
    }

    @Test
    void theServerApiReportsEachUsersLag() throws Exception {
        try (TestServer server = TestServer.start(ACKED);
             WsClient fast = server.connect("fast");
             WsClient slow = server.connect("slow")) {
            fast.subscribe("ledger:x");
            slow.subscribe("ledger:x");
            publish(server, "ledger:x", 4);
            seqs(fast, 4);
            seqs(slow, 4);
            confirm(fast, "ledger:x", 4);
            confirm(slow, "ledger:x", 1);

            JsonNode report = WsClient.JSON.readTree(server.get("/api/channels/ledger:x/acks").body());
            assertThat(report.path("ackRequired").asBoolean()).isTrue();
            assertThat(report.path("subscribers").get(0).path("userId").asText()).isEqualTo("slow");
            assertThat(report.path("subscribers").get(0).path("lag").asLong()).isEqualTo(3);
            assertThat(report.path("subscribers").get(1).path("userId").asText()).isEqualTo("fast");
            assertThat(report.path("subscribers").get(1).path("lag").asLong()).isZero();
        }
    }

    @Test
    void aDurableChannelReplaysUnconfirmedEventsFromTheStoreOnResubscribe() {
        try (TestServer server = TestServer.start(ACKED)) {
            String epoch;
            try (WsClient first = server.connect("dave")) {
                epoch = first.subscribe("ledger:y").path("payload").path("epoch").asText();
                publish(server, "ledger:y", 3);
                seqs(first, 3);
                first.abort();
            }
            try (WsClient second = server.connect("dave")) {
                JsonNode resumed = second.subscribe("ledger:y", 3, epoch);
                assertThat(resumed.path("payload").path("recovered").asBoolean()).isTrue();
                assertThat(seqs(second, 3)).containsExactly(1L, 2L, 3L);
            }
        }
    }

    @Test
    void confirmingOnAChannelWithoutAcknowledgementsIsABadRequest() {
        try (TestServer server = TestServer.start(ACKED); WsClient client = server.connect("erin")) {
            client.subscribe("room:plain");
            JsonNode reply = client.request(WsClient.command("confirm").put("channel", "room:plain").put("seq", 1));
            assertThat(reply.path("payload").path("code").asText()).isEqualTo("bad_request");
        }
    }

    private static void publish(TestServer server, String channel, int upTo) {
        long seq = 0;
        while (seq < upTo) {
            seq = server.server().hub().publishAsync(channel, WsClient.JSON.createObjectNode().put("at", seq + 1), null, 0)
                    .join();
        }
    }

    /** The seqs of the next {@code n} publications. */
    private static List<Long> seqs(WsClient client, int n) {
        List<Long> seqs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            seqs.add(client.nextOfType("publication").path("seq").asLong());
        }
        return seqs;
    }

    /** Confirms and waits until the server has processed it (commands of one connection run in order). */
    private static void confirm(WsClient client, String channel, long seq) {
        client.send(WsClient.command("confirm").put("channel", channel).put("seq", seq));
        assertThat(client.request(WsClient.command("ping")).path("type").asText()).isEqualTo("pong");
    }
}
