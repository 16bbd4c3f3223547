package dev.tandem.entities;

import static dev.tandem.entities.EntityFrames.create;
import static dev.tandem.entities.EntityFrames.json;
import static dev.tandem.entities.EntityFrames.nextEvent;
import static dev.tandem.entities.EntityFrames.patch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestStore;
import dev.tandem.testing.WsClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Change events come out in commit order however many writers race, on both stores. */
class EntityEventOrderTest {

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void eventsOfConcurrentWritersArriveInCommitOrderWithoutGaps(TestStore store) {
        int writers = 4;
        int perWriter = 40;
        List<String> ids = List.of("r0", "r1", "r2");
        Map<String, String> config = new HashMap<>(store.fresh());
        config.put("collections.race.conflict", "lww");
        try (TestServer server = TestServer.start(config); WsClient watcher = server.connect("watcher")) {
            try (WsClient setup = server.connect("setup")) {
                ids.forEach(id -> setup.request(create("race", id, json("{'n':0}"))));
            }
            watcher.subscribe("entity:race");
            List<WsClient> clients = new ArrayList<>();
            List<CompletableFuture<List<Long>>> acks = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                WsClient client = server.connect("w" + w);
                clients.add(client);
                int writer = w;
                acks.add(CompletableFuture.supplyAsync(() -> {
                    List<Long> versions = new ArrayList<>();
                    for (int i = 0; i < perWriter; i++) {
                        JsonNode reply = client.request(patch("race", ids.get(i % ids.size()), 1, json("{'w" + writer + "':" + i + "}")));
                        versions.add(reply.path("payload").path("version").asLong());
                    }
                    return versions;
                }));
            }
            acks.forEach(CompletableFuture::join);
            Map<String, Long> lastVersion = new HashMap<>();
            long lastSeq = -1;
            for (int i = 0; i < writers * perWriter; i++) {
                JsonNode event = nextEvent(watcher, "entity:race");
                if (lastSeq >= 0) {
                    assertThat(event.path("seq").asLong()).isEqualTo(lastSeq + 1);
                }
                lastSeq = event.path("seq").asLong();
                String id = event.path("payload").path("id").asText();
                long version = event.path("payload").path("version").asLong();
                assertThat(version).as("version of " + id).isEqualTo(lastVersion.getOrDefault(id, 1L) + 1);
                lastVersion.put(id, version);
            }
            long total = lastVersion.values().stream().mapToLong(v -> v - 1).sum();
            assertThat(total).isEqualTo((long) writers * perWriter);
            clients.forEach(WsClient::close);
        }
    }
}
