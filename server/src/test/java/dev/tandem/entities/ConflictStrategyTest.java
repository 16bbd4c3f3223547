package dev.tandem.entities;

import static dev.tandem.entities.EntityFrames.create;
import static dev.tandem.entities.EntityFrames.json;
import static dev.tandem.entities.EntityFrames.patch;
import static dev.tandem.entities.EntityFrames.update;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestStore;
import dev.tandem.testing.WsClient;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The {@code merge} and {@code lww} collections end to end, on both stores. */
class ConflictStrategyTest {

    private static TestServer start(TestStore store) {
        Map<String, String> config = new HashMap<>(store.fresh());
        config.put("collections.docs.conflict", "merge");
        config.put("collections.docs.historyDepth", "3");
        config.put("collections.notes.conflict", "lww");
        return TestServer.start(config);
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void mergeAppliesAStalePatchWhoseFieldsWereNotChangedSinceItsBase(TestStore store) {
        try (TestServer server = start(store); WsClient alice = server.connect("alice"); WsClient bob = server.connect("bob")) {
            alice.request(create("docs", "d", json("{'title':'t','body':'b','meta':{'a':1,'b':1}}")));
            alice.request(patch("docs", "d", 1, json("{'title':'T','meta':{'a':2}}")));
            JsonNode merged = bob.request(patch("docs", "d", 1, json("{'body':'B','meta':{'b':2}}")));
            assertThat(merged.path("type").asText()).isEqualTo("result");
            assertThat(merged.path("payload").path("version").asLong()).isEqualTo(3);
            assertThat(merged.path("payload").path("data")).isEqualTo(json("{'title':'T','body':'B','meta':{'a':2,'b':2}}"));
            JsonNode fullUpdate = bob.request(update("docs", "d", 2, json("{'title':'T','body':'b','meta':{'a':2,'b':1},'extra':1}")));
            assertThat(fullUpdate.path("payload").path("data"))
                    .isEqualTo(json("{'title':'T','body':'B','meta':{'a':2,'b':2},'extra':1}"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void mergeRefusesOverlappingFieldsListingBaseMineAndTheirs(TestStore store) {
        try (TestServer server = start(store); WsClient alice = server.connect("alice"); WsClient bob = server.connect("bob")) {
            alice.request(create("docs", "d", json("{'title':'t','meta':{'a':1}}")));
            JsonNode current = alice.request(patch("docs", "d", 1, json("{'title':'alice','meta':{'a':2}}"))).path("payload");
            JsonNode refused = bob.request(patch("docs", "d", 1, json("{'title':'bob','meta':{'a':null}}")));
            JsonNode error = refused.path("payload");
            assertThat(error.path("code").asText()).isEqualTo("conflict");
            assertThat(error.path("details").path("current")).isEqualTo(current);
            assertThat(error.path("details").path("fields")).isEqualTo(EntityFrames.tree(
                    "[{'path':'meta/a','base':1,'mine':null,'theirs':2},{'path':'title','base':'t','mine':'bob','theirs':'alice'}]"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void mergeRefusesWhenTheBaseIsOlderThanTheKeptHistory(TestStore store) {
        try (TestServer server = start(store); WsClient alice = server.connect("alice")) {
            alice.request(create("docs", "d", json("{'n':0}")));
            for (int v = 1; v <= 4; v++) {
                alice.request(patch("docs", "d", v, json("{'n':" + v + "}")));
            }
            JsonNode refused = alice.request(patch("docs", "d", 1, json("{'other':true}")));
            assertThat(refused.path("payload").path("code").asText()).isEqualTo("conflict");
            assertThat(refused.path("payload").path("message").asText()).contains("no longer kept");
            JsonNode fromKeptBase = alice.request(patch("docs", "d", 3, json("{'other':true}")));
            assertThat(fromKeptBase.path("payload").path("data")).isEqualTo(json("{'n':4,'other':true}"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void lastWriteWinsIgnoresStaleVersions(TestStore store) {
        try (TestServer server = start(store); WsClient alice = server.connect("alice"); WsClient bob = server.connect("bob")) {
            alice.request(create("notes", "n", json("{'text':'a','pinned':true}")));
            alice.request(update("notes", "n", 1, json("{'text':'alice'}")));
            JsonNode bobs = bob.request(update("notes", "n", 1, json("{'text':'bob'}")));
            assertThat(bobs.path("payload").path("version").asLong()).isEqualTo(3);
            assertThat(bobs.path("payload").path("data")).isEqualTo(json("{'text':'bob'}"));
            JsonNode patched = alice.request(patch("notes", "n", 1, json("{'pinned':false}")));
            assertThat(patched.path("payload").path("data")).isEqualTo(json("{'text':'bob','pinned':false}"));
            JsonNode deleted = bob.request(EntityFrames.delete("notes", "n", 1L));
            assertThat(deleted.path("type").asText()).isEqualTo("result");
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void rejectIsTheDefault(TestStore store) {
        try (TestServer server = start(store); WsClient alice = server.connect("alice")) {
            alice.request(create("plain", "p", json("{'a':1}")));
            alice.request(patch("plain", "p", 1, json("{'a':2}")));
            JsonNode refused = alice.request(patch("plain", "p", 1, json("{'b':1}")));
            assertThat(refused.path("payload").path("code").asText()).isEqualTo("conflict");
            assertThat(refused.path("payload").path("details").path("current").path("version").asLong()).isEqualTo(2);
        }
    }
}
