package dev.tandem.hub;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestStore;
import dev.tandem.testing.WsClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code history: durable} channels on both stores, through real sockets. */
class DurableHistoryTest {

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void durablePublicationsSurviveARestartWithTheirSeqsAndEpoch(TestStore store) {
        Map<String, String> config = store.fresh();
        String epoch;
        try (TestServer server = TestServer.start(config); WsClient alice = server.connect("alice")) {
            epoch = alice.subscribe("chat:restart").path("payload").path("epoch").asText();
            for (int i = 1; i <= 5; i++) {
                JsonNode ack = alice.publish("chat:restart", WsClient.JSON.createObjectNode().put("n", i));
                assertThat(ack.path("payload").path("seq").asLong()).isEqualTo(i);
            }
        }
        try (TestServer server = TestServer.start(config); WsClient bob = server.connect("bob")) {
            JsonNode subscribed = bob.subscribe("chat:restart", 2, epoch);
            assertThat(subscribed.path("payload").path("recovered").asBoolean()).isTrue();
            assertThat(subscribed.path("payload").path("seq").asLong()).isEqualTo(5);
            for (int seq = 3; seq <= 5; seq++) {
                JsonNode p = bob.nextOfType("publication");
                assertThat(p.path("seq").asLong()).isEqualTo(seq);
                assertThat(p.path("payload").path("n").asInt()).isEqualTo(seq);
                assertThat(p.path("userId").asText()).isEqualTo("alice");
            }
            JsonNode ack = bob.publish("chat:restart", WsClient.JSON.createObjectNode().put("n", 6));
            assertThat(ack.path("payload").path("seq").asLong()).isEqualTo(6);
            JsonNode history = bob.request(command("history").put("channel", "chat:restart").put("after", 0));
            assertThat(seqs(history)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
            assertThat(history.path("payload").path("epoch").asText()).isEqualTo(epoch);
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void resubscribingWithSinceWhilePublishersRaceMissesNothingAndRepeatsNothing(TestStore store) throws Exception {
        int publishers = 4;
        int perPublisher = 150;
        try (TestServer server = TestServer.start(store.fresh()); WsClient reader = server.connect("reader")) {
            String channel = "chat:race";
            String epoch = reader.subscribe(channel).path("payload").path("epoch").asText();
            ExecutorService pool = Executors.newFixedThreadPool(publishers);
            List<CompletableFuture<Void>> done = new ArrayList<>();
            for (int p = 0; p < publishers; p++) {
                int publisher = p;
                done.add(CompletableFuture.runAsync(() -> {
                    try (WsClient client = server.connect("p" + publisher)) {
                        for (int i = 0; i < perPublisher; i++) {
                            client.publish(channel, WsClient.JSON.createObjectNode().put("p", publisher).put("i", i));
                        }
                    }
                }, pool));
            }
            List<Long> seen = new ArrayList<>();
            long last = 0;
            int total = publishers * perPublisher;
            int resubscribes = 0;
            while (last < total) {
                JsonNode frame = reader.nextOfType("publication");
                seen.add(frame.path("seq").asLong());
                last = frame.path("seq").asLong();
                if (seen.size() % 97 == 0 && last < total) {
                    reader.request(command("unsubscribe").put("channel", channel));
                    reader.drain();
                    JsonNode again = reader.subscribe(channel, last, epoch);
                    assertThat(again.path("payload").path("recovered").asBoolean()).isTrue();
                    resubscribes++;
                }
            }
            CompletableFuture.allOf(done.toArray(new CompletableFuture[0])).get(60, TimeUnit.SECONDS);
            pool.shutdown();
            assertThat(resubscribes).isPositive();
            List<Long> expected = new ArrayList<>();
            for (long s = 1; s <= total; s++) {
                expected.add(s);
            }
            assertThat(seen).containsExactlyElementsOf(expected);
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void recoveryFurtherBackThanTheLimitAnswersNotRecoveredAndHistoryPagesTheBacklog(TestStore store) {
        Map<String, String> config = new HashMap<>(store.fresh());
        config.put("limits.maxRecoveredPublications", "50");
        try (TestServer server = TestServer.start(config); WsClient writer = server.connect("w")) {
            String channel = "chat:backlog";
            String epoch = writer.subscribe(channel).path("payload").path("epoch").asText();
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= 1000; i++) {
                ids.add(writer.send(publishCommand(channel, i)));
            }
            String lastId = ids.get(ids.size() - 1);
            writer.next(f -> lastId.equals(f.path("requestId").asText()), "last ack");
            try (WsClient late = server.connect("late")) {
                JsonNode subscribed = late.subscribe(channel, 10, epoch);
                assertThat(subscribed.path("payload").path("recovered").asBoolean()).isFalse();
                assertThat(subscribed.path("payload").path("seq").asLong()).isEqualTo(1000);
                List<Long> paged = new ArrayList<>();
                long after = 10;
                boolean more = true;
                while (more) {
                    JsonNode page = late.request(command("history").put("channel", channel).put("after", after).put("limit", 100));
                    paged.addAll(seqs(page));
                    after = paged.get(paged.size() - 1);
                    more = page.path("payload").path("more").asBoolean();
                }
                assertThat(paged).hasSize(990).first().isEqualTo(11L);
                assertThat(paged.get(paged.size() - 1)).isEqualTo(1000L);
                JsonNode older = late.request(command("history").put("channel", channel).put("before", 11).put("limit", 100));
                assertThat(seqs(older)).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L, 10L);
                JsonNode newest = late.request(command("history").put("channel", channel).put("limit", 3));
                assertThat(seqs(newest)).containsExactly(998L, 999L, 1000L);
                assertThat(newest.path("payload").path("more").asBoolean()).isTrue();
            }
            try (WsClient near = server.connect("near")) {
                JsonNode subscribed = near.subscribe(channel, 960, epoch);
                assertThat(subscribed.path("payload").path("recovered").asBoolean()).isTrue();
                assertThat(near.nextOfType("publication").path("seq").asLong()).isEqualTo(961);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void theServerApiPublishesDurablyAndReadsDurableHistory(TestStore store) {
        try (TestServer server = TestServer.start(store.fresh())) {
            var first = server.post("/api/publish", "{\"channel\":\"chat:api\",\"payload\":{\"x\":1}}");
            var second = server.post("/api/publish", "{\"channel\":\"chat:api\",\"payload\":{\"x\":2}}");
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(first.body()).contains("\"seq\":1");
            assertThat(second.body()).contains("\"seq\":2");
            var history = server.get("/api/channels/chat:api/history?after=1");
            assertThat(history.statusCode()).isEqualTo(200);
            assertThat(history.body()).contains("\"x\":2").doesNotContain("\"x\":1");
        }
    }

    private static ObjectNode publishCommand(String channel, int n) {
        ObjectNode publish = command("publish").put("channel", channel);
        publish.putObject("payload").put("n", n);
        return publish;
    }

    static List<Long> seqs(JsonNode history) {
        List<Long> seqs = new ArrayList<>();
        history.path("payload").path("publications").forEach(p -> seqs.add(p.path("seq").asLong()));
        return seqs;
    }
}
