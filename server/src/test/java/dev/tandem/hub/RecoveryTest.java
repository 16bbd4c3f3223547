package dev.tandem.hub;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RecoveryTest {

    @Test
    void resubscribeWithSinceReplaysMissedPublicationsExactlyOnceWhilePublishingContinues() throws Exception {
        try (TestServer server = TestServer.start()) {
            String channel = "room:recovery";
            AtomicBoolean publishing = new AtomicBoolean(true);
            AtomicLong lastAck = new AtomicLong();
            List<WsClient> publishers = new ArrayList<>();
            List<CompletableFuture<Void>> loops = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                WsClient publisher = server.connect("pub" + p);
                publishers.add(publisher);
                loops.add(CompletableFuture.runAsync(() -> {
                    int i = 0;
                    while (publishing.get()) {
                        JsonNode ack = publisher.publish(channel, WsClient.JSON.createObjectNode().put("i", i++));
                        lastAck.accumulateAndGet(ack.path("payload").path("seq").asLong(), Math::max);
                    }
                }));
            }

            WsClient first = server.connect("reader");
            JsonNode subscribed = first.subscribe(channel);
            String epoch = subscribed.path("payload").path("epoch").asText();
            long lastSeen = subscribed.path("payload").path("seq").asLong();
            while (lastSeen < 100) {
                JsonNode publication = first.nextOfType("publication");
                assertThat(publication.path("seq").asLong()).isEqualTo(lastSeen + 1);
                lastSeen = publication.path("seq").asLong();
            }
            first.abort();

            long missedFrom = lastSeen;
            while (lastAck.get() < missedFrom + 150) {
                Thread.onSpinWait();
            }

            try (WsClient second = server.connect("reader")) {
                JsonNode resumed = second.subscribe(channel, missedFrom, epoch);
                assertThat(resumed.path("payload").path("recovered").asBoolean()).isTrue();
                assertThat(resumed.path("payload").path("epoch").asText()).isEqualTo(epoch);
                long resumeSeq = resumed.path("payload").path("seq").asLong();
                assertThat(resumeSeq).isGreaterThanOrEqualTo(missedFrom + 150);

                // Let publishing run on past the resume point, then stop and read to the end.
                while (lastAck.get() < resumeSeq + 200) {
                    Thread.onSpinWait();
                }
                publishing.set(false);
                CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get();
                long finalSeq = server.server().hub().history(channel, HistoryQuery.of(-1, -1, 1)).seq();

                long expected = missedFrom + 1;
                while (expected <= finalSeq) {
                    JsonNode publication = second.nextOfType("publication");
                    assertThat(publication.path("seq").asLong()).as("no gap, no duplicate").isEqualTo(expected);
                    expected++;
                }
                JsonNode extra = second.poll(java.time.Duration.ofMillis(300));
                assertThat(extra).as("nothing after the last publication").isNull();
            } finally {
                publishers.forEach(WsClient::close);
            }
        }
    }

    @Test
    void subscribeWithSinceAnswersNotRecoveredWhenHistoryNoLongerCoversIt() {
        try (TestServer server = TestServer.start(Map.of("namespaces.default.historySize", "10"));
             WsClient reader = server.connect("reader");
             WsClient writer = server.connect("writer")) {
            JsonNode subscribed = reader.subscribe("room:short");
            String epoch = subscribed.path("payload").path("epoch").asText();
            reader.request(WsClient.command("unsubscribe").put("channel", "room:short"));
            for (int i = 0; i < 25; i++) {
                writer.publish("room:short", WsClient.JSON.createObjectNode().put("i", i));
            }
            JsonNode resumed = reader.subscribe("room:short", 0, epoch);
            assertThat(resumed.path("payload").path("recovered").asBoolean()).isFalse();
            assertThat(resumed.path("payload").path("seq").asLong()).isEqualTo(25);
            writer.publish("room:short", WsClient.JSON.createObjectNode().put("i", 25));
            assertThat(reader.nextOfType("publication").path("seq").asLong())
                    .as("no replay after recovered:false, just live events").isEqualTo(26);
        }
    }

    @Test
    void subscribeWithSinceFromWithinHistoryRecoversOnlyTheTail() {
        try (TestServer server = TestServer.start(Map.of("namespaces.default.historySize", "10"));
             WsClient reader = server.connect("reader");
             WsClient writer = server.connect("writer")) {
            for (int i = 0; i < 25; i++) {
                writer.publish("room:tail", WsClient.JSON.createObjectNode().put("i", i));
            }
            String epoch = reader.subscribe("room:tail").path("payload").path("epoch").asText();
            reader.request(WsClient.command("unsubscribe").put("channel", "room:tail"));
            JsonNode resumed = reader.subscribe("room:tail", 18, epoch);
            assertThat(resumed.path("payload").path("recovered").asBoolean()).isTrue();
            for (long seq = 19; seq <= 25; seq++) {
                assertThat(reader.nextOfType("publication").path("seq").asLong()).isEqualTo(seq);
            }
        }
    }

    @Test
    void subscribeWithSinceAfterARestartAnswersNotRecoveredWithANewEpoch() {
        String epoch;
        try (TestServer server = TestServer.start(); WsClient client = server.connect("a")) {
            client.publish("room:restart", WsClient.JSON.createObjectNode().put("i", 1));
            epoch = client.subscribe("room:restart").path("payload").path("epoch").asText();
        }
        try (TestServer server = TestServer.start(); WsClient client = server.connect("a")) {
            JsonNode resumed = client.subscribe("room:restart", 1, epoch);
            assertThat(resumed.path("payload").path("recovered").asBoolean()).isFalse();
            assertThat(resumed.path("payload").path("epoch").asText()).isNotEqualTo(epoch);
            assertThat(resumed.path("payload").path("seq").asLong()).isZero();
        }
    }

    @Test
    void subscribeWithTheLatestSeqRecoversWithNothingToReplay() {
        try (TestServer server = TestServer.start(); WsClient client = server.connect("a")) {
            client.publish("room:uptodate", WsClient.JSON.createObjectNode().put("i", 1));
            String epoch = client.subscribe("room:uptodate").path("payload").path("epoch").asText();
            client.request(WsClient.command("unsubscribe").put("channel", "room:uptodate"));
            JsonNode resumed = client.subscribe("room:uptodate", 1, epoch);
            assertThat(resumed.path("payload").path("recovered").asBoolean()).isTrue();
            assertThat(client.poll(java.time.Duration.ofMillis(200))).isNull();
        }
    }
}
