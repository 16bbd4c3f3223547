package dev.tandem.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A recovery larger than what a connection can queue is refused with {@code recovered: false} (the client pages
 * with {@code history}) instead of overflowing the outbound queue and cutting the client off as a slow consumer,
 * which used to make every reconnect ask for the same replay and be cut off again.
 */
class BoundedRecoveryTest {
    private static final String FILLER = "x".repeat(1000);

    @Test
    void aRecoveryLargerThanTheOutboundQueueIsAnsweredNotRecoveredAndTheConnectionStays() {
        Map<String, String> config = Map.of("namespaces.default.historySize", "20000",
                "limits.outboundQueueFrames", "4096", "limits.outboundQueueBytes", "67108864",
                "limits.maxRecoveredPublications", "4000");
        try (TestServer server = TestServer.start(config); WsClient reader = server.connect("reader")) {
            String epoch = publish(server, "room:big", 10_000);

            JsonNode subscribed = reader.subscribe("room:big", 0, epoch);
            assertThat(subscribed.path("payload").path("recovered").asBoolean()).isFalse();
            assertThat(subscribed.path("payload").path("seq").asLong()).isEqualTo(10_000);
            assertThat(reader.request(WsClient.command("ping")).path("type").asText()).isEqualTo("pong");
            assertThat(reader.closed()).isNotDone();
            assertThat(server.server().metrics().slowConsumerDisconnects().count()).isZero();

            JsonNode page = reader.request(WsClient.command("history").put("channel", "room:big").put("after", 0)
                    .put("limit", 100));
            assertThat(page.path("payload").path("publications")).hasSize(100);
            assertThat(page.path("payload").path("more").asBoolean()).isTrue();
        }
    }

    @Test
    void aRecoveryWithinTheLimitButOverTheQueuedByteBudgetIsNotRecovered() {
        Map<String, String> config = Map.of("limits.outboundQueueBytes", "200000",
                "limits.maxRecoveredPublications", "1000");
        try (TestServer server = TestServer.start(config); WsClient reader = server.connect("reader")) {
            String epoch = publish(server, "room:wide", 500);

            JsonNode subscribed = reader.subscribe("room:wide", 0, epoch);
            assertThat(subscribed.path("payload").path("recovered").asBoolean()).isFalse();
            assertThat(reader.request(WsClient.command("ping")).path("type").asText()).isEqualTo("pong");
            assertThat(server.server().metrics().slowConsumerDisconnects().count()).isZero();
        }
    }

    @Test
    void aRecoveryWithinTheLimitReplaysEveryMissedPublicationInOrder() {
        Map<String, String> config = Map.of("limits.maxRecoveredPublications", "300");
        try (TestServer server = TestServer.start(config); WsClient reader = server.connect("reader")) {
            String epoch = publish(server, "room:small", 300);

            JsonNode subscribed = reader.subscribe("room:small", 0, epoch);
            assertThat(subscribed.path("payload").path("recovered").asBoolean()).isTrue();
            for (long seq = 1; seq <= 300; seq++) {
                assertThat(reader.nextOfType("publication").path("seq").asLong()).isEqualTo(seq);
            }
            reader.request(WsClient.command("unsubscribe").put("channel", "room:small"));
            publish(server, "room:small", 301);
            JsonNode again = reader.subscribe("room:small", 300, epoch);
            assertThat(again.path("payload").path("recovered").asBoolean()).isTrue();
            assertThat(reader.nextOfType("publication").path("seq").asLong()).isEqualTo(301);
            assertThat(reader.poll(Duration.ofMillis(200))).isNull();
        }
    }

    @Test
    void oneMorePublicationThanTheLimitIsNotRecovered() {
        Map<String, String> config = Map.of("limits.maxRecoveredPublications", "300");
        try (TestServer server = TestServer.start(config); WsClient reader = server.connect("reader")) {
            String epoch = publish(server, "room:edge", 301);
            assertThat(reader.subscribe("room:edge", 0, epoch).path("payload").path("recovered").asBoolean()).isFalse();
            assertThat(reader.poll(Duration.ofMillis(200))).isNull();
        }
    }

    /** Publishes until the channel's seq is {@code upToSeq}; returns its epoch. */
    private static String publish(TestServer server, String channel, int upToSeq) {
        Hub hub = server.server().hub();
        long seq = 0;
        while (seq < upToSeq) {
            seq = hub.publish(channel, WsClient.JSON.createObjectNode().put("filler", FILLER), null).seq();
        }
        return hub.history(channel, new HistoryQuery(-1, -1, 1)).epoch();
    }
}
