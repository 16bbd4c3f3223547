package dev.tandem.messages;

import static dev.tandem.testing.WsClient.command;
import static dev.tandem.testing.WsClient.messageDelete;
import static dev.tandem.testing.WsClient.messageEdit;
import static dev.tandem.testing.WsClient.messageSend;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestStore;
import dev.tandem.testing.TestTokens;
import dev.tandem.testing.WsClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Chat messages through real sockets on both stores: send, idempotency, edit, delete, limits. */
class ChatTest {

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void aSentMessageIsAcknowledgedWithIdAndSeqAndReachesSubscribersAsMessageNew(TestStore store) {
        try (TestServer server = TestServer.start(store.fresh());
             WsClient alice = server.connect("alice"); WsClient bob = server.connect("bob")) {
            bob.subscribe("chat:send");
            JsonNode ack = alice.request(messageSend("chat:send", "c1", "hello"));
            assertThat(ack.path("type").asText()).isEqualTo("ack");
            assertThat(ack.path("payload").path("seq").asLong()).isEqualTo(1);
            assertThat(ack.path("payload").path("duplicate").asBoolean()).isFalse();
            String id = ack.path("payload").path("id").asText();
            assertThat(id).isNotEmpty();

            JsonNode event = bob.nextOfType("message.new");
            assertThat(event.path("seq").asLong()).isEqualTo(1);
            assertThat(event.path("payload").path("id").asText()).isEqualTo(id);
            assertThat(event.path("payload").path("userId").asText()).isEqualTo("alice");
            assertThat(event.path("payload").path("content").asText()).isEqualTo("hello");
            assertThat(event.path("payload").path("clientMsgId").asText()).isEqualTo("c1");
            assertThat(event.path("payload").path("createdAt").asLong()).isEqualTo(event.path("timestamp").asLong());
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void aRetriedSendReturnsTheOriginalAndNeverAddsASecondMessageEvenWhenRetriesRace(TestStore store) throws Exception {
        try (TestServer server = TestServer.start(store.fresh()); WsClient bob = server.connect("bob")) {
            bob.subscribe("chat:idem");
            List<WsClient> devices = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                devices.add(server.connect("alice"));
            }
            List<CompletableFuture<JsonNode>> acks = new ArrayList<>();
            for (WsClient device : devices) {
                acks.add(CompletableFuture.supplyAsync(() -> device.request(messageSend("chat:idem", "retry-1", "once"))));
            }
            List<JsonNode> replies = new ArrayList<>();
            for (CompletableFuture<JsonNode> ack : acks) {
                replies.add(ack.get());
            }
            assertThat(replies).filteredOn(r -> !r.path("payload").path("duplicate").asBoolean()).hasSize(1);
            assertThat(replies).extracting(r -> r.path("payload").path("seq").asLong()).containsOnly(1L);
            assertThat(replies).extracting(r -> r.path("payload").path("id").asText()).hasSize(8)
                    .containsOnly(replies.get(0).path("payload").path("id").asText());

            JsonNode later = devices.get(0).request(messageSend("chat:idem", "retry-1", "once"));
            assertThat(later.path("payload").path("duplicate").asBoolean()).isTrue();
            assertThat(later.path("payload").path("seq").asLong()).isEqualTo(1);
            devices.get(0).request(messageSend("chat:idem", "marker", "after"));
            List<String> contents = new ArrayList<>();
            JsonNode event;
            do {
                event = bob.nextOfType("message.new");
                contents.add(event.path("payload").path("content").asText());
            } while (!"after".equals(event.path("payload").path("content").asText()));
            assertThat(contents).containsExactly("once", "after");
            devices.forEach(WsClient::close);
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void onlyTheAuthorMayEditAndTheEditIsANewEventAndChangesHistory(TestStore store) {
        try (TestServer server = TestServer.start(store.fresh());
             WsClient alice = server.connect("alice"); WsClient bob = server.connect("bob")) {
            bob.subscribe("chat:edit");
            String id = alice.request(messageSend("chat:edit", "e1", "draft")).path("payload").path("id").asText();

            JsonNode refused = bob.request(messageEdit("chat:edit", id, "hijacked"));
            assertThat(refused.path("type").asText()).isEqualTo("error");
            assertThat(refused.path("payload").path("code").asText()).isEqualTo("forbidden");

            JsonNode ack = alice.request(messageEdit("chat:edit", id, "final"));
            assertThat(ack.path("payload").path("seq").asLong()).isEqualTo(2);
            JsonNode event = bob.nextOfType("message.edit");
            assertThat(event.path("seq").asLong()).isEqualTo(2);
            assertThat(event.path("payload").path("id").asText()).isEqualTo(id);
            assertThat(event.path("payload").path("content").asText()).isEqualTo("final");
            assertThat(event.path("payload").path("editedAt").asLong()).isPositive();

            JsonNode history = bob.request(command("history").put("channel", "chat:edit").put("after", 0));
            JsonNode original = history.path("payload").path("publications").get(0);
            assertThat(original.path("type").asText()).isEqualTo("message.new");
            assertThat(original.path("payload").path("content").asText()).isEqualTo("final");
            assertThat(original.path("payload").path("editedAt").asLong()).isPositive();
            assertThat(history.path("payload").path("publications").get(1).path("type").asText()).isEqualTo("message.edit");

            JsonNode missing = alice.request(messageEdit("chat:edit", "m_nope", "x"));
            assertThat(missing.path("payload").path("code").asText()).isEqualTo("not_found");
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void theAuthorOrAModeratorMayDeleteAndHistoryKeepsATombstoneWithoutContent(TestStore store) {
        Map<String, String> config = new HashMap<>(store.fresh());
        config.put("chat.moderators", "mod");
        try (TestServer server = TestServer.start(config); WsClient alice = server.connect("alice");
             WsClient bob = server.connect("bob"); WsClient mod = server.connect("mod")) {
            bob.subscribe("chat:delete");
            String first = alice.request(messageSend("chat:delete", "d1", "secret one")).path("payload").path("id").asText();
            String second = alice.request(messageSend("chat:delete", "d2", "secret two")).path("payload").path("id").asText();

            JsonNode refused = bob.request(messageDelete("chat:delete", first));
            assertThat(refused.path("payload").path("code").asText()).isEqualTo("forbidden");
            assertThat(alice.request(messageDelete("chat:delete", first)).path("payload").path("seq").asLong()).isEqualTo(3);
            assertThat(mod.request(messageDelete("chat:delete", second)).path("payload").path("seq").asLong()).isEqualTo(4);
            assertThat(bob.nextOfType("message.delete").path("payload").path("id").asText()).isEqualTo(first);
            assertThat(bob.nextOfType("message.delete").path("payload").path("id").asText()).isEqualTo(second);

            JsonNode again = alice.request(messageDelete("chat:delete", first));
            assertThat(again.path("payload").path("code").asText()).isEqualTo("not_found");

            JsonNode history = bob.request(command("history").put("channel", "chat:delete").put("after", 0));
            String text = history.toString();
            assertThat(text).doesNotContain("secret");
            JsonNode tombstone = history.path("payload").path("publications").get(0).path("payload");
            assertThat(tombstone.path("id").asText()).isEqualTo(first);
            assertThat(tombstone.path("deleted").asBoolean()).isTrue();
            assertThat(tombstone.has("content")).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void contentOverTheLimitAndNonChatChannelsAreRefusedWithClearErrors(TestStore store) {
        Map<String, String> config = new HashMap<>(store.fresh());
        config.put("chat.maxContentBytes", "16");
        try (TestServer server = TestServer.start(config); WsClient alice = server.connect("alice")) {
            JsonNode big = alice.request(messageSend("chat:limits", "l1", "x".repeat(17)));
            assertThat(big.path("payload").path("code").asText()).isEqualTo("too_large");
            JsonNode multiByte = alice.request(messageSend("chat:limits", "l2", "é".repeat(9)));
            assertThat(multiByte.path("payload").path("code").asText()).isEqualTo("too_large");
            JsonNode fits = alice.request(messageSend("chat:limits", "l3", "x".repeat(16)));
            assertThat(fits.path("type").asText()).isEqualTo("ack");
            JsonNode notDurable = alice.request(messageSend("room:limits", "l4", "hi"));
            assertThat(notDurable.path("payload").path("code").asText()).isEqualTo("bad_request");
            JsonNode noId = alice.request(command("message.send").put("channel", "chat:limits"));
            assertThat(noId.path("payload").path("message").asText()).contains("clientMsgId");
            assertThat(alice.request(command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }
    @ParameterizedTest
    @EnumSource(TestStore.class)
    void chatCommandsObeyTheNamespacesPublishRule(TestStore store) {
        Map<String, String> config = new HashMap<>(store.fresh());
        config.put("auth.jwt.secret", TestTokens.SECRET);
        config.put("namespaces.announce.history", "durable");
        config.put("namespaces.announce.access.publish", "role:editor");
        try (TestServer server = TestServer.start(config);
             WsClient editor = server.connectWithToken(TestTokens.forUser("ed", c -> c.claim("roles", List.of("editor"))));
             WsClient reader = server.connectWithToken(TestTokens.forUser("rita"))) {
            JsonNode sent = editor.request(messageSend("announce:news", "a1", "release today"));
            assertThat(sent.path("type").asText()).isEqualTo("ack");
            String id = sent.path("payload").path("id").asText();

            JsonNode refused = reader.request(messageSend("announce:news", "r1", "me too"));
            assertThat(refused.path("payload").path("code").asText()).isEqualTo("forbidden");
            assertThat(reader.request(messageEdit("announce:news", id, "changed")).path("payload").path("code").asText())
                    .isEqualTo("forbidden");
            assertThat(reader.request(messageDelete("announce:news", id)).path("payload").path("code").asText())
                    .isEqualTo("forbidden");
            JsonNode history = reader.request(command("history").put("channel", "announce:news"));
            assertThat(history.path("payload").path("publications")).hasSize(1);
        }
    }
}
