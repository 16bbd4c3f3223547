package dev.tandem.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.CloseCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ChatRoomTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private RealServer server;

    @BeforeEach
    void start() {
        server = RealServer.start(Map.of());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private ChatRoom room(String user, String channel, Heard heard) {
        return room(server.connect(user), channel, heard, ChatRoom.Options.DEFAULT);
    }

    private static ChatRoom room(TandemClient client, String channel, Heard heard, ChatRoom.Options options) {
        ChatRoom room = client.chat(channel, heard, options);
        room.ready().join();
        return room;
    }

    private static List<String> contents(List<ChatMessage> messages) {
        return messages.stream().map(ChatMessage::content).toList();
    }

    @Test
    void messagesReachTheOthersAndEditsAndDeletesChangeTheirView() {
        Heard bobHeard = new Heard();
        ChatRoom alice = room("alice", "chat:live", new Heard());
        ChatRoom bob = room("bob", "chat:live", bobHeard);

        SentMessage hello = alice.send("hello").join();
        SentMessage typo = alice.send("tpyo").join();
        alice.edit(typo.id(), "typo").join();
        alice.delete(hello.id()).join();

        await().atMost(WAIT).until(() -> bobHeard.deleted.size() == 1);
        assertThat(hello.duplicate()).isFalse();
        assertThat(bobHeard.messages).extracting(ChatMessage::content).containsExactly("hello", "tpyo");
        assertThat(bobHeard.edited).extracting(ChatMessage::content).containsExactly("typo");
        assertThat(bob.messages()).extracting(ChatMessage::seq).containsExactly(hello.seq(), typo.seq());
        assertThat(bob.messages().get(0).deleted()).isTrue();
        assertThat(bob.messages().get(0).content()).isNull();
        assertThat(bob.messages().get(1).content()).isEqualTo("typo");
        assertThat(bob.messages().get(1).editedAt()).isPositive();
        assertThat(bob.messages().get(1).userId()).isEqualTo("alice");
    }

    @Test
    void aSendWhoseAckIsLostIsRetriedWithTheSameClientMsgIdAndStoredOnce() {
        AtomicBoolean dropped = new AtomicBoolean();
        TandemClient lossy = server.connect(TandemClient.builder(server.ws()).devUser("alice")
                .requestTimeout(Duration.ofSeconds(2))
                .tap(frame -> "ack".equals(frame.path("type").asText()) && dropped.compareAndSet(false, true)
                        ? List.of() : List.of(frame)));
        Heard bobHeard = new Heard();
        ChatRoom bob = room("bob", "chat:retry", bobHeard);
        ChatRoom alice = room(lossy, "chat:retry", new Heard(), ChatRoom.Options.DEFAULT);

        SentMessage sent = alice.send("only once").join();
        alice.send("after").join();

        await().atMost(WAIT).until(() -> bobHeard.messages.size() == 2);
        assertThat(dropped).isTrue();
        assertThat(sent.duplicate()).isTrue(); // the answer to the retry names the message the first try stored
        assertThat(contents(bob.messages())).containsExactly("only once", "after");
        assertThat(bob.messages().get(0).id()).isEqualTo(sent.id());
        assertThat(bob.messages().get(0).clientMsgId()).isEqualTo(sent.clientMsgId());
    }

    @Test
    void sendingAgainUnderTheSameClientMsgIdAnswersWithTheOriginalMessage() {
        ChatRoom alice = room("alice", "chat:dup", new Heard());

        SentMessage first = alice.send("one", "msg-1").join();
        SentMessage again = alice.send("one", "msg-1").join();

        assertThat(again.duplicate()).isTrue();
        assertThat(again.id()).isEqualTo(first.id());
        assertThat(again.seq()).isEqualTo(first.seq());
    }

    @Test
    void aRoomOpensOnTheNewestPageAndPagesBackThroughHistoryWithEditsApplied() {
        ChatRoom writer = room("alice", "chat:paged", new Heard());
        String firstId = null;
        for (int i = 1; i <= 12; i++) {
            SentMessage sent = writer.send("m" + i).join();
            firstId = i == 1 ? sent.id() : firstId;
        }
        writer.edit(firstId, "m1 (edited)").join();

        TandemClient bob = server.connect("bob");
        ChatRoom room = room(bob, "chat:paged", new Heard(),
                new ChatRoom.Options(5, 3, Duration.ofSeconds(2), true, 0, Duration.ofSeconds(2), Duration.ofSeconds(5)));
        List<String> newest = contents(room.messages());
        int second = room.loadOlder().join();
        int third = room.loadOlder().join();

        // The newest page holds the edit event (seq 13) and m9..m12; older pages fill in the rest.
        assertThat(newest).containsExactly("m9", "m10", "m11", "m12");
        assertThat(second + third).isEqualTo(8);
        assertThat(contents(room.messages())).startsWith("m1 (edited)", "m2").endsWith("m11", "m12").hasSize(12);
        assertThat(room.hasMore()).isFalse();
        assertThat(room.history(HistoryQuery.after(0).limit(3)).join().messages())
                .extracting(ChatMessage::content).containsExactly("m1 (edited)", "m2", "m3");
    }

    @Test
    void readReceiptsAreBatchedAndWhatWasHeldGoesOutAfterAReconnect() {
        ServerApiClient api = new ServerApiClient(server.http(), null);
        ChatRoom alice = room("alice", "chat:receipts", new Heard());
        for (int i = 1; i <= 3; i++) {
            alice.send("m" + i).join();
        }
        Heard aliceHeard = new Heard();
        ChatRoom watcher = room(server.connect("alice"), "chat:receipts", aliceHeard, ChatRoom.Options.DEFAULT);
        TandemClient bobClient = server.connect("bob");
        ChatRoom bob = room(bobClient, "chat:receipts", new Heard(),
                ChatRoom.Options.DEFAULT.withAutoDelivered(false).withReceiptInterval(Duration.ofMinutes(5)));

        bob.markRead(1);
        bob.markRead(3); // within the interval: held back
        await().atMost(WAIT).until(() -> api.receipts("chat:receipts", 1).join().read().count() == 1);
        assertThat(api.receipts("chat:receipts", 3).join().read().count()).isZero();

        server.server.sessions().disconnectUser("bob", CloseCode.POLICY, "test drop");

        await().atMost(WAIT).until(() -> api.receipts("chat:receipts", 3).join().read().count() == 1);
        await().atMost(WAIT).until(() -> watcher.receipts().getOrDefault("bob", new Receipt.Position(0, 0)).read() == 3);
        assertThat(aliceHeard.receipts).contains(new Receipt("bob", "bob", Receipt.Kind.READ, 1));
        assertThat(watcher.readBy(3)).containsExactly("bob");
        assertThat(api.receipts("chat:receipts", 3).join().read().users()).containsExactly(new ChatUser("bob", "bob"));
        assertThat(bob.readUpTo()).isEqualTo(3);
    }

    @Test
    void unreadCountsOthersMessagesAfterTheReadPositionAndTheServerAgrees() {
        ChatRoom alice = room("alice", "chat:unread", new Heard());
        Heard bobHeard = new Heard();
        ChatRoom bob = room("bob", "chat:unread", bobHeard);
        long last = 0;
        for (int i = 1; i <= 3; i++) {
            last = alice.send("m" + i).join().seq();
        }
        await().atMost(WAIT).until(() -> bobHeard.messages.size() == 3);
        bob.send("mine").join();
        ServerApiClient api = new ServerApiClient(server.http(), null);

        int before = bob.unread();
        bob.markRead(last - 1);

        await().atMost(WAIT).until(() -> bob.unread() == 1);
        assertThat(before).isEqualTo(3);
        await().atMost(WAIT).until(() -> api.unread("bob").join().getOrDefault("chat:unread", -1L) == 1L);
    }

    @Test
    void typingShowsForTheOthersUntilTheTypistsMessageArrives() {
        Heard aliceHeard = new Heard();
        ChatRoom alice = room("alice", "chat:typing", aliceHeard);
        ChatRoom bob = room("bob", "chat:typing", new Heard());

        bob.typing();
        await().atMost(WAIT).until(() -> alice.typists().contains(new ChatUser("bob", "bob")));
        bob.send("done typing").join();

        await().atMost(WAIT).until(() -> alice.typists().isEmpty());
        assertThat(bob.typists()).isEmpty(); // never lists yourself
        assertThat(aliceHeard.typing).contains(List.of(new ChatUser("bob", "bob")), List.of());
    }

    @Test
    void keystrokesSendOneTypingPerIntervalUntilTheTypistStops() {
        ChatRoom bob = room("bob", "chat:keys", new Heard());

        boolean first = bob.typing().join();
        boolean second = bob.typing().join();
        bob.stopTyping();
        boolean afterStop = bob.typing().join();

        assertThat(first).isTrue();
        assertThat(second).isFalse();
        assertThat(afterStop).isTrue();
    }

    @Test
    void aPresenceAndAChatRoomOnOneChannelShareItsSubscriptionAndOutliveEachOther() {
        TandemClient alice = server.connect("alice");
        Heard heard = new Heard();
        ChatRoom chat = room(alice, "chat:both", heard, ChatRoom.Options.DEFAULT);
        Presence presence = alice.presence("chat:both");
        presence.join(Frames.JSON.createObjectNode().put("name", "Alice")).join();
        ChatRoom bob = room("bob", "chat:both", new Heard());

        bob.send("one").join();
        await().atMost(WAIT).until(() -> heard.messages.size() == 1);
        presence.leave();
        bob.send("two").join();
        await().atMost(WAIT).until(() -> heard.messages.size() == 2);
        chat.close();
        Presence again = alice.presence("chat:both");

        assertThat(again.join(Frames.JSON.createObjectNode().put("name", "Alice")).join())
                .extracting(PresenceMember::id).containsExactly("alice");
        assertThat(contents(chat.messages())).containsExactly("one", "two");
    }

    @Test
    void refusalsFailWithTheServersCode() {
        ChatRoom alice = room("alice", "chat:refused", new Heard());
        ChatRoom bob = room("bob", "chat:refused", new Heard());
        SentMessage mine = alice.send("mine").join();

        assertThatThrownBy(() -> bob.edit(mine.id(), "not yours").join()).cause()
                .isInstanceOfSatisfying(TandemException.class, e -> assertThat(e.code()).isEqualTo("forbidden"));
        assertThatThrownBy(() -> alice.edit("no-such-id", "x").join()).cause()
                .isInstanceOfSatisfying(TandemException.class, e -> assertThat(e.code()).isEqualTo("not_found"));
        assertThatThrownBy(() -> alice.send("x".repeat(20_000)).join()).cause()
                .isInstanceOfSatisfying(TandemException.class, e -> assertThat(e.code()).isEqualTo("too_large"));
    }

    /** Records what a chat listener heard. */
    static final class Heard implements ChatListener {
        final List<ChatMessage> messages = new CopyOnWriteArrayList<>();
        final List<ChatMessage> edited = new CopyOnWriteArrayList<>();
        final List<ChatMessage> deleted = new CopyOnWriteArrayList<>();
        final List<Receipt> receipts = new CopyOnWriteArrayList<>();
        final List<List<ChatUser>> typing = new CopyOnWriteArrayList<>();

        @Override
        public void onMessage(ChatMessage message) {
            messages.add(message);
        }

        @Override
        public void onEdited(ChatMessage message) {
            edited.add(message);
        }

        @Override
        public void onDeleted(ChatMessage message) {
            deleted.add(message);
        }

        @Override
        public void onReceipt(Receipt receipt) {
            receipts.add(receipt);
        }

        @Override
        public void onTyping(List<ChatUser> typists) {
            typing.add(typists);
        }
    }
}
