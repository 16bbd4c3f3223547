package dev.tandem.auth;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestTokens;
import dev.tandem.testing.WsClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Channel permissions in production mode, as a client sees them over /ws. */
class ChannelAccessTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestTokens.production(
                "namespaces.admin.access.subscribe", "role:admin",
                "namespaces.news.access.publish", "role:editor",
                "namespaces.private.access.subscribe", "role:nobody",
                "namespaces.private.access.history", "role:nobody",
                "namespaces.secret.access.subscribe", "token",
                "namespaces.public.access.subscribe", "anonymous",
                "namespaces.readonly.clientPublish", "false"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static WsClient connect(String token) {
        WsClient client = server.connectWithToken(token);
        assertThat(client.connected().path("type").asText()).isEqualTo("connected");
        return client;
    }

    private static String code(JsonNode reply) {
        return reply.path("type").asText().equals("error") ? reply.path("payload").path("code").asText() : reply.path("type").asText();
    }

    @Test
    void aUserChannelBelongsToItsOwnerOnly() {
        try (WsClient alice = connect(TestTokens.forUser("alice")); WsClient bob = connect(TestTokens.forUser("bob"))) {
            assertThat(code(alice.subscribe("user:alice"))).isEqualTo("subscribed");
            assertThat(code(alice.subscribe("user:alice:inbox"))).isEqualTo("subscribed");
            assertThat(code(alice.subscribe("user:bob"))).isEqualTo("forbidden");
            assertThat(code(alice.subscribe("user:bob:inbox"))).isEqualTo("forbidden");
            assertThat(code(alice.subscribe("user:alicex"))).as("a prefix of the id is not the id").isEqualTo("forbidden");
            assertThat(code(alice.publish("user:bob", WsClient.JSON.createObjectNode().put("x", 1)))).isEqualTo("forbidden");
            assertThat(code(alice.request(command("history").put("channel", "user:bob")))).isEqualTo("forbidden");
            assertThat(code(bob.publish("user:bob", WsClient.JSON.createObjectNode().put("x", 1)))).isEqualTo("ack");
        }
    }

    @Test
    void aDenialSaysTheSameWhetherOrNotTheChannelExists() {
        try (WsClient owner = connect(TestTokens.forUser("olga")); WsClient prober = connect(TestTokens.forUser("pete"))) {
            owner.subscribe("user:olga:diary");
            owner.publish("user:olga:diary", WsClient.JSON.createObjectNode().put("secret", true));
            JsonNode existing = prober.subscribe("user:olga:diary");
            JsonNode missing = prober.subscribe("user:olga:nothing-here");
            assertThat(code(existing)).isEqualTo("forbidden");
            assertThat(existing.path("payload").path("message").asText().replace("user:olga:diary", "C"))
                    .isEqualTo(missing.path("payload").path("message").asText().replace("user:olga:nothing-here", "C"));
            JsonNode existingHistory = prober.request(command("history").put("channel", "user:olga:diary"));
            JsonNode missingHistory = prober.request(command("history").put("channel", "user:olga:nothing-here"));
            assertThat(existingHistory.path("payload").path("message").asText().replace("user:olga:diary", "C"))
                    .isEqualTo(missingHistory.path("payload").path("message").asText().replace("user:olga:nothing-here", "C"));
        }
    }

    @Test
    void aRoleLockedNamespaceAdmitsOnlyThatRole() {
        try (WsClient user = connect(TestTokens.forUser("ursula"));
             WsClient admin = connect(TestTokens.forUser("ada", c -> c.claim("roles", List.of("admin"))))) {
            assertThat(code(user.subscribe("admin:panel"))).isEqualTo("forbidden");
            assertThat(code(admin.subscribe("admin:panel"))).isEqualTo("subscribed");
        }
    }

    @Test
    void publishingWhereOnlyEditorsMayPublishIsForbiddenToOthers() {
        try (WsClient reader = connect(TestTokens.forUser("rita"));
             WsClient editor = connect(TestTokens.forUser("ed", c -> c.claim("roles", List.of("editor"))))) {
            assertThat(code(reader.subscribe("news:today"))).isEqualTo("subscribed");
            assertThat(code(reader.publish("news:today", WsClient.JSON.createObjectNode().put("fake", true)))).isEqualTo("forbidden");
            assertThat(code(editor.publish("news:today", WsClient.JSON.createObjectNode().put("headline", "hi")))).isEqualTo("ack");
            assertThat(reader.nextOfType("publication").path("payload").path("headline").asText()).isEqualTo("hi");
        }
    }

    @Test
    void aNamespaceWithoutClientPublishRefusesEveryClient() {
        try (WsClient admin = connect(TestTokens.forUser("root", c -> c.claim("roles", List.of("admin"))))) {
            assertThat(code(admin.publish("readonly:feed", WsClient.JSON.createObjectNode()))).isEqualTo("forbidden");
        }
    }

    @Test
    void theChannelsClaimAddsExactAndWildcardChannelsForSubscribeAndHistoryButNotPublish() {
        String token = TestTokens.forUser("cleo", c -> c.claim("channels", List.of("private:room1", "private:team-*")));
        try (WsClient cleo = connect(token); WsClient other = connect(TestTokens.forUser("otto"))) {
            assertThat(code(cleo.subscribe("private:room1"))).isEqualTo("subscribed");
            assertThat(code(cleo.subscribe("private:team-a"))).isEqualTo("subscribed");
            assertThat(code(cleo.request(command("history").put("channel", "private:room1")))).isEqualTo("history");
            assertThat(code(cleo.subscribe("private:room2"))).isEqualTo("forbidden");
            assertThat(code(other.subscribe("private:room1"))).isEqualTo("forbidden");
            // publish on private:* is open to authenticated users by default; the claim neither adds nor removes it
            assertThat(code(other.publish("private:room1", WsClient.JSON.createObjectNode()))).isEqualTo("ack");
        }
    }

    @Test
    void aSubscriptionTokenOpensExactlyItsChannelForExactlyItsUser() {
        try (WsClient vera = connect(TestTokens.forUser("vera"))) {
            String forVault = TestTokens.forUser("vera", c -> c.claim("channel", "secret:vault"));
            String forOther = TestTokens.forUser("vera", c -> c.claim("channel", "secret:other"));
            String forSomeoneElse = TestTokens.forUser("walt", c -> c.claim("channel", "secret:vault"));
            assertThat(code(vera.subscribe("secret:vault"))).as("no token").isEqualTo("forbidden");
            assertThat(code(vera.request(command("subscribe").put("channel", "secret:vault").put("token", forOther))))
                    .isEqualTo("forbidden");
            assertThat(code(vera.request(command("subscribe").put("channel", "secret:vault").put("token", forSomeoneElse))))
                    .isEqualTo("forbidden");
            assertThat(code(vera.request(command("subscribe").put("channel", "secret:vault").put("token", "garbage"))))
                    .isEqualTo("forbidden");
            assertThat(code(vera.request(command("subscribe").put("channel", "secret:vault").put("token", forVault))))
                    .isEqualTo("subscribed");
        }
    }

    @Test
    void anonymousClientsReachOnlyNamespacesThatAdmitAnonymous() {
        try (WsClient anon = WsClient.connect(server.ws(""))) {
            JsonNode connected = anon.connected();
            assertThat(connected.path("payload").path("userId").asText()).startsWith("anon-");
            assertThat(code(anon.subscribe("public:lobby"))).isEqualTo("subscribed");
            assertThat(code(anon.subscribe("room:general"))).isEqualTo("forbidden");
            assertThat(code(anon.publish("public:lobby", WsClient.JSON.createObjectNode()))).isEqualTo("forbidden");
            assertThat(code(anon.subscribe("user:" + connected.path("payload").path("userId").asText())))
                    .as("even its own user channel").isEqualTo("forbidden");
        }
    }

    @Test
    void devModeAdmitsAnonymousUsersButStillKeepsUserChannelsToTheirOwners() {
        try (TestServer dev = TestServer.start(); WsClient anon = WsClient.connect(dev.ws("")); WsClient alice = dev.connect("alice")) {
            assertThat(anon.connected().path("payload").path("userId").asText()).startsWith("anon-");
            assertThat(code(anon.subscribe("room:open"))).isEqualTo("subscribed");
            alice.connected();
            assertThat(code(alice.subscribe("user:alice"))).isEqualTo("subscribed");
            assertThat(code(alice.subscribe("user:bob"))).isEqualTo("forbidden");
        }
    }

    @Test
    void aDevServerWithoutAKeyIgnoresTokensAndOneWithAKeyChecksThem() {
        try (TestServer dev = TestServer.start(); WsClient client = WsClient.connect(dev.ws("user=dana&token=not-a-jwt"))) {
            assertThat(client.connected().path("payload").path("userId").asText()).isEqualTo("dana");
        }
        try (TestServer dev = TestServer.start(Map.of("auth.jwt.secret", TestTokens.SECRET));
             WsClient forged = WsClient.connect(dev.ws("user=dana&token=not-a-jwt"))) {
            assertThat(forged.nextOfType("disconnect").path("payload").path("code").asInt()).isEqualTo(4001);
        }
    }
}
