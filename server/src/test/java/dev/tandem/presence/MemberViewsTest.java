package dev.tandem.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.tandem.protocol.FrameCodec;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The cached member lists of {@code presence:sync}: the same JSON as fresh member objects, encoded once per user. */
class MemberViewsTest {
    private final MemberViews views = new MemberViews();

    @Test
    void aListReadsBackAsTheMemberObjectsOfItsEntries() throws Exception {
        List<PresenceEntry> entries = List.of(entry("alice", "a1", 1), entry("bob", "b1", 2), entry("alice", "a2", 3));
        JsonNode users = reparse(views.list("room:a", entries));
        assertThat(users).hasSize(2);
        assertThat(users.get(0)).isEqualTo(reparse(UserView.of(List.of(entries.get(0), entries.get(2)))));
        assertThat(users.get(1)).isEqualTo(reparse(UserView.of(List.of(entries.get(1)))));
    }

    @Test
    void entriesGroupedByUserAndInJoinOrderGiveTheSameListAndShareViews() throws Exception {
        PresenceEntry a1 = entry("alice", "a1", 1);
        PresenceEntry a2 = entry("alice", "a2", 3);
        PresenceEntry b1 = entry("bob", "b1", 2);
        ArrayNode grouped = views.list("room:a", List.of(a1, a2, b1));
        ArrayNode joinOrder = views.list("room:a", List.of(a1, b1, a2));

        assertThat(reparse(joinOrder)).isEqualTo(reparse(grouped));
        assertThat(reparse(grouped).get(0).path("connections")).hasSize(2);
        assertThat(raw(joinOrder, 0)).as("alice's view is reused whatever the order").isSameAs(raw(grouped, 0));
        assertThat(raw(joinOrder, 1)).isSameAs(raw(grouped, 1));
    }

    @Test
    void aUserWhoseConnectionsChangedIsEncodedAgain() throws Exception {
        PresenceEntry a1 = entry("alice", "a1", 1);
        ArrayNode one = views.list("room:a", List.of(a1));
        ArrayNode two = views.list("room:a", List.of(a1, entry("alice", "a2", 2)));
        assertThat(raw(two, 0)).isNotSameAs(raw(one, 0));
        assertThat(reparse(two).get(0).path("connections")).hasSize(2);
        assertThat(reparse(views.list("room:a", List.of(a1))).get(0).path("connections")).hasSize(1);
    }

    @Test
    void anUnchangedUserIsEncodedOnceAndAChangedOneAgain() throws Exception {
        PresenceEntry alice = entry("alice", "a1", 1);
        PresenceEntry bob = entry("bob", "b1", 2);
        ArrayNode first = views.list("room:a", List.of(alice, bob));
        PresenceEntry bobMoved = bob.active(state(99), PresenceEntry.Status.online, 10, 70_000);
        ArrayNode second = views.list("room:a", List.of(alice, bobMoved));

        assertThat(raw(second, 0)).isSameAs(raw(first, 0));
        assertThat(raw(second, 1)).isNotSameAs(raw(first, 1));
        assertThat(reparse(second).get(1).path("state").path("x").asInt()).isEqualTo(99);
    }

    @Test
    void usersWhoLeftAreNotListedAndChannelsDoNotShareViews() throws Exception {
        PresenceEntry alice = entry("alice", "a1", 1);
        views.list("room:a", List.of(alice, entry("bob", "b1", 2)));
        assertThat(reparse(views.list("room:a", List.of(alice)))).extracting(u -> u.path("id").asText())
                .containsExactly("alice");
        ArrayNode other = views.list("room:b", List.of(entry("alice", "a9", 5)));
        assertThat(reparse(other).get(0).path("connections").get(0).path("connectionId").asText()).isEqualTo("a9");
        assertThat(views.list("room:a", List.of())).isEmpty();
    }

    @Test
    void listsOfOneChannelBuiltConcurrentlyEachHoldExactlyTheirOwnUsers() throws Exception {
        List<PresenceEntry> three = List.of(entry("alice", "a1", 1), entry("bob", "b1", 2), entry("carol", "c1", 3));
        List<PresenceEntry> two = List.of(three.get(0), three.get(2));
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                List<PresenceEntry> mine = t % 2 == 0 ? three : two;
                List<String> expected = mine.stream().map(PresenceEntry::userId).toList();
                runs.add(threads.submit(() -> {
                    for (int i = 0; i < 500; i++) {
                        assertThat(reparse(views.list("room:a", mine))).extracting(u -> u.path("id").asText())
                                .containsExactlyElementsOf(expected);
                    }
                    return null;
                }));
            }
            for (Future<?> run : runs) {
                run.get(30, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static Object raw(ArrayNode users, int index) {
        return ((POJONode) users.get(index)).getPojo();
    }

    private static JsonNode reparse(JsonNode node) throws Exception {
        return FrameCodec.JSON.readTree(FrameCodec.JSON.writeValueAsString(node));
    }

    private static PresenceEntry entry(String user, String connection, int x) {
        return new PresenceEntry("room:a", user, connection, state(x), PresenceEntry.Status.online, 1000, 1000, 61_000);
    }

    private static JsonNode state(int x) {
        return FrameCodec.JSON.createObjectNode().put("name", "n").put("x", x);
    }
}
