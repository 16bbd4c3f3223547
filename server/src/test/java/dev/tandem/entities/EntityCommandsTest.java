package dev.tandem.entities;

import static dev.tandem.entities.EntityFrames.create;
import static dev.tandem.entities.EntityFrames.delete;
import static dev.tandem.entities.EntityFrames.json;
import static dev.tandem.entities.EntityFrames.nextEvent;
import static dev.tandem.entities.EntityFrames.patch;
import static dev.tandem.entities.EntityFrames.update;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestStore;
import dev.tandem.testing.WsClient;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code entity.*} over the native protocol, on both stores. */
class EntityCommandsTest {

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void createUpdatePatchDeleteAnswerWithTheRecordAndEmitEventsOnBothChannels(TestStore store) {
        try (TestServer server = TestServer.start(store.fresh());
             WsClient alice = server.connect("alice");
             WsClient watcher = server.connect("watcher")) {
            watcher.subscribe("entity:tasks");
            JsonNode created = alice.request(create("tasks", "t1", json("{'title':'write','done':false}")));
            assertThat(created.path("type").asText()).isEqualTo("result");
            JsonNode record = created.path("payload");
            assertThat(record.path("id").asText()).isEqualTo("t1");
            assertThat(record.path("version").asLong()).isEqualTo(1);
            assertThat(record.path("updatedBy").asText()).isEqualTo("alice");
            assertThat(record.path("createdAt").asLong()).isPositive().isEqualTo(record.path("updatedAt").asLong());
            assertThat(record.path("data")).isEqualTo(json("{'title':'write','done':false}"));
            JsonNode createdEvent = nextEvent(watcher, "entity:tasks").path("payload");
            assertThat(createdEvent.path("type").asText()).isEqualTo("entity:created");
            assertThat(createdEvent.path("collection").asText()).isEqualTo("tasks");
            assertThat(createdEvent.path("id").asText()).isEqualTo("t1");
            assertThat(createdEvent.path("version").asLong()).isEqualTo(1);
            assertThat(createdEvent.path("record")).isEqualTo(record);
            watcher.subscribe("entity:tasks:t1");

            JsonNode updated = alice.request(update("tasks", "t1", 1, json("{'title':'write','done':true}"))).path("payload");
            assertThat(updated.path("version").asLong()).isEqualTo(2);
            JsonNode patched = alice.request(patch("tasks", "t1", 2, json("{'title':null,'tag':'x'}"))).path("payload");
            assertThat(patched.path("version").asLong()).isEqualTo(3);
            assertThat(patched.path("data")).isEqualTo(json("{'done':true,'tag':'x'}"));
            JsonNode deleted = alice.request(delete("tasks", "t1", 3L)).path("payload");
            assertThat(deleted.path("version").asLong()).isEqualTo(4);

            List<String> types = List.of("entity:updated", "entity:updated", "entity:deleted");
            for (int i = 0; i < types.size(); i++) {
                JsonNode onCollection = nextEvent(watcher, "entity:tasks");
                JsonNode onRecord = nextEvent(watcher, "entity:tasks:t1");
                assertThat(onCollection.path("payload")).isEqualTo(onRecord.path("payload"));
                assertThat(onCollection.path("payload").path("type").asText()).isEqualTo(types.get(i));
                assertThat(onCollection.path("payload").path("version").asLong()).isEqualTo(i + 2);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void eventsListTheChangedFields(TestStore store) {
        try (TestServer server = TestServer.start(store.fresh());
             WsClient alice = server.connect("alice");
             WsClient watcher = server.connect("watcher")) {
            watcher.subscribe("entity:tasks");
            alice.request(create("tasks", "t1", json("{'a':1,'b':{'c':1},'d':true}")));
            alice.request(patch("tasks", "t1", 1, json("{'b':{'c':2},'d':null,'e':'new'}")));
            assertThat(nextEvent(watcher, "entity:tasks").path("payload").path("changed"))
                    .isEqualTo(EntityFrames.tree("['a','b','d']"));
            JsonNode update = nextEvent(watcher, "entity:tasks").path("payload");
            assertThat(update.path("changed")).isEqualTo(EntityFrames.tree("['b','d','e']"));
            assertThat(update.path("record").path("data")).isEqualTo(json("{'a':1,'b':{'c':2},'e':'new'}"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void aPartialUpdatesCollectionSendsOnlyTheChangedFields(TestStore store) {
        java.util.Map<String, String> config = new java.util.HashMap<>(store.fresh());
        config.put("collections.board.partialUpdates", "true");
        try (TestServer server = TestServer.start(config);
             WsClient alice = server.connect("alice");
             WsClient watcher = server.connect("watcher")) {
            watcher.subscribe("entity:board");
            alice.request(create("board", "c1", json("{'title':'card','column':'todo','notes':'long text'}")));
            alice.request(patch("board", "c1", 1, json("{'column':'done','notes':null}")));
            assertThat(nextEvent(watcher, "entity:board").path("payload").path("record").path("data"))
                    .isEqualTo(json("{'title':'card','column':'todo','notes':'long text'}"));
            JsonNode update = nextEvent(watcher, "entity:board").path("payload");
            assertThat(update.path("record").path("data")).isEqualTo(json("{'column':'done','notes':null}"));
            assertThat(update.path("record").path("version").asLong()).isEqualTo(2);
            assertThat(update.path("changed")).isEqualTo(EntityFrames.tree("['column','notes']"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void twoClientsUpdatingTheSameBaseVersionConcurrentlyExactlyOneWins(TestStore store) {
        try (TestServer server = TestServer.start(store.fresh());
             WsClient alice = server.connect("alice");
             WsClient bob = server.connect("bob")) {
            for (int round = 1; round <= 20; round++) {
                String id = "race" + round;
                alice.request(create("tasks", id, json("{'n':0}")));
                CompletableFuture<JsonNode> a = CompletableFuture.supplyAsync(() -> alice.request(update("tasks", id, 1, json("{'n':'alice'}"))));
                CompletableFuture<JsonNode> b = CompletableFuture.supplyAsync(() -> bob.request(update("tasks", id, 1, json("{'n':'bob'}"))));
                List<JsonNode> replies = List.of(a.join(), b.join());
                List<JsonNode> wins = replies.stream().filter(r -> r.path("type").asText().equals("result")).toList();
                List<JsonNode> losses = replies.stream().filter(r -> r.path("type").asText().equals("error")).toList();
                assertThat(wins).hasSize(1);
                assertThat(losses).hasSize(1);
                JsonNode winner = wins.get(0).path("payload");
                assertThat(winner.path("version").asLong()).isEqualTo(2);
                JsonNode error = losses.get(0).path("payload");
                assertThat(error.path("code").asText()).isEqualTo("conflict");
                assertThat(error.path("details").path("current")).isEqualTo(winner);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void badInputIsAnErrorThatLeavesTheConnectionWorking(TestStore store) {
        try (TestServer server = TestServer.start(store.fresh()); WsClient alice = server.connect("alice")) {
            assertThat(code(alice.request(create("tasks", null, EntityFrames.tree("[1]"))))).isEqualTo("bad_request");
            assertThat(code(alice.request(create("bad:name", null, json("{}"))))).isEqualTo("bad_request");
            assertThat(code(alice.request(create("tasks", "has space", json("{}"))))).isEqualTo("bad_request");
            JsonNode wrongVersion = alice.request(EntityFrames.json("{'type':'entity.update','payload':{'collection':'tasks','id':'x','version':'2','data':{}}}"));
            assertThat(code(wrongVersion)).isEqualTo("bad_request");
            JsonNode wrongId = alice.request(EntityFrames.json("{'type':'entity.delete','payload':{'collection':'tasks','id':7}}"));
            assertThat(code(wrongId)).isEqualTo("bad_request");
            assertThat(code(alice.request(update("tasks", "missing", 1, json("{}"))))).isEqualTo("not_found");
            JsonNode created = alice.request(create("tasks", null, json("{'ok':true}")));
            assertThat(created.path("payload").path("id").asText()).matches("[0-9a-f-]{36}");
            JsonNode again = alice.request(create("tasks", created.path("payload").path("id").asText(), json("{}")));
            assertThat(code(again)).isEqualTo("conflict");
            assertThat(again.path("payload").path("details").path("current")).isEqualTo(created.path("payload"));
        }
    }

    private static String code(JsonNode reply) {
        assertThat(reply.path("type").asText()).isEqualTo("error");
        return reply.path("payload").path("code").asText();
    }
}
