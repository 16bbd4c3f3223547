package dev.tandem.entities;

import static dev.tandem.entities.EntityFrames.create;
import static dev.tandem.entities.EntityFrames.json;
import static dev.tandem.entities.EntityFrames.nextEvent;
import static dev.tandem.entities.EntityFrames.patch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestStore;
import dev.tandem.testing.TestTokens;
import dev.tandem.testing.WsClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Collection read and write rules on REST, on native writes, and on the event channels, on both stores. */
class EntityAccessTest {

    private static TestServer start(TestStore store) {
        Map<String, String> config = TestTokens.production(
                "collections.notes.read", "owner",
                "collections.boards.read", "members",
                "collections.secrets.read", "role:admin",
                "collections.secrets.write", "role:admin");
        config.putAll(store.fresh());
        return TestServer.start(config);
    }

    private static WsClient connect(TestServer server, String user, String... roles) {
        return server.connectWithToken(TestTokens.forUser(user, c -> c.claim("roles", List.of(roles))));
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void anOwnerRuleFiltersEventsOnTheCollectionChannelPerSubscriber(TestStore store) {
        try (TestServer server = start(store); WsClient alice = connect(server, "alice"); WsClient bob = connect(server, "bob");
             WsClient writer = connect(server, "writer")) {
            alice.subscribe("entity:notes");
            bob.subscribe("entity:notes");
            writer.request(create("notes", "a1", json("{'owner':'alice'}")));
            writer.request(create("notes", "b1", json("{'owner':'bob'}")));
            writer.request(create("notes", "a2", json("{'owner':'alice'}")));
            writer.request(create("notes", "b2", json("{'owner':'bob'}")));
            assertThat(nextEvent(alice, "entity:notes").path("payload").path("id").asText()).isEqualTo("a1");
            assertThat(nextEvent(alice, "entity:notes").path("payload").path("id").asText()).isEqualTo("a2");
            assertThat(nextEvent(bob, "entity:notes").path("payload").path("id").asText()).isEqualTo("b1");
            assertThat(nextEvent(bob, "entity:notes").path("payload").path("id").asText()).isEqualTo("b2");
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void anOwnerRuleFiltersTheRecordChannelAndRecoveryToo(TestStore store) {
        try (TestServer server = start(store); WsClient alice = connect(server, "alice"); WsClient bob = connect(server, "bob")) {
            alice.request(create("notes", "a1", json("{'owner':'alice','text':'secret'}")));
            JsonNode subscribed = bob.subscribe("entity:notes:a1");
            alice.request(patch("notes", "a1", 1, json("{'text':'still secret'}")));
            alice.request(patch("notes", "a1", 2, json("{'owner':'bob'}")));
            JsonNode first = nextEvent(bob, "entity:notes:a1");
            assertThat(first.path("payload").path("version").asLong()).isEqualTo(3);
            try (WsClient late = connect(server, "bob")) {
                JsonNode since = late.subscribe("entity:notes:a1", 0, subscribed.path("payload").path("epoch").asText());
                assertThat(since.path("payload").path("recovered").asBoolean()).isTrue();
                assertThat(nextEvent(late, "entity:notes:a1").path("payload").path("version").asLong()).isEqualTo(3);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void restReadsShowOnlyReadableRecords(TestStore store) {
        try (TestServer server = start(store)) {
            CollectionsHttp alice = CollectionsHttp.bearer(server.port(), TestTokens.forUser("alice"));
            CollectionsHttp bob = CollectionsHttp.bearer(server.port(), TestTokens.forUser("bob"));
            assertThat(alice.post("/api/collections/notes", "{'id':'a1','data':{'owner':'alice'}}").status()).isEqualTo(201);
            assertThat(bob.post("/api/collections/notes", "{'id':'b1','data':{'owner':'bob'}}").status()).isEqualTo(201);
            assertThat(bob.get("/api/collections/notes/a1").status()).isEqualTo(404);
            assertThat(bob.patch("/api/collections/notes/a1", "{'baseVersion':1,'patch':{'x':1}}").status()).isEqualTo(404);
            JsonNode list = bob.get("/api/collections/notes").body().path("records");
            assertThat(list).hasSize(1);
            assertThat(list.get(0).path("id").asText()).isEqualTo("b1");
            alice.post("/api/collections/boards", "{'id':'board','data':{'members':['alice','carol']}}");
            CollectionsHttp carol = CollectionsHttp.bearer(server.port(), TestTokens.forUser("carol"));
            assertThat(carol.get("/api/collections/boards/board").status()).isEqualTo(200);
            assertThat(bob.get("/api/collections/boards/board").status()).isEqualTo(404);
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void aRoleRuleIsCheckedOnceAtSubscribeAndOnWrites(TestStore store) {
        try (TestServer server = start(store);
             WsClient admin = connect(server, "root", "admin");
             WsClient bob = connect(server, "bob")) {
            assertThat(bob.subscribe("entity:secrets").path("payload").path("code").asText()).isEqualTo("forbidden");
            assertThat(bob.request(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                    .put("type", "history").put("channel", "entity:notes")).path("payload").path("code").asText())
                    .isEqualTo("forbidden");
            JsonNode refused = bob.request(create("secrets", "s", json("{'k':1}")));
            assertThat(refused.path("payload").path("code").asText()).isEqualTo("forbidden");
            admin.subscribe("entity:secrets");
            try (WsClient writer = connect(server, "root2", "admin")) {
                writer.request(create("secrets", "s", json("{'k':1}")));
            }
            assertThat(nextEvent(admin, "entity:secrets").path("payload").path("id").asText()).isEqualTo("s");
            assertThat(CollectionsHttp.bearer(server.port(), TestTokens.forUser("bob")).get("/api/collections/secrets/s").status())
                    .isEqualTo(404);
        }
    }
}
