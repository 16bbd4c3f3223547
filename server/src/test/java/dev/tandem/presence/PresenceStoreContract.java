package dev.tandem.presence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.testing.WsClient;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PresenceStore} must do, whatever keeps the entries: extend it with a factory for the store
 * under test (the local store now, the Redis store with the cluster issue). Channels and users are unique per
 * test so a shared backend needs no cleanup.
 */
public abstract class PresenceStoreContract {
    private PresenceStore store;
    private String channel;
    private String user;
    private final long t0 = 1_000_000;

    protected abstract PresenceStore newStore();

    @BeforeEach
    void setUp() {
        store = newStore();
        String unique = UUID.randomUUID().toString().substring(0, 8);
        channel = "room:" + unique;
        user = "u-" + unique;
    }

    private PresenceEntry entry(String userId, String connectionId, long seen, long expiresAt) {
        ObjectNode state = WsClient.JSON.createObjectNode().put("c", connectionId);
        return new PresenceEntry(channel, userId, connectionId, state, PresenceEntry.Status.online, seen, seen, expiresAt);
    }

    private <T> T now(java.util.concurrent.CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    @Test
    void firstConnectionOfAUserIsAJoinAndFurtherConnectionsAreUpdates() {
        PresenceChange first = now(store.put(entry(user, "c1", t0, t0 + 60_000)));
        assertThat(first.joined()).isTrue();
        PresenceChange second = now(store.put(entry(user, "c2", t0, t0 + 60_000)));
        assertThat(second.joined()).isFalse();
        assertThat(second.before()).hasSize(1);
        assertThat(second.after()).hasSize(2);
        assertThat(now(store.counts(channel))).isEqualTo(new PresenceCounts(1, 2));
    }

    @Test
    void removingTheLastConnectionIsALeaveAndRemovingTwiceIsANoop() {
        now(store.put(entry(user, "c1", t0, t0 + 60_000)));
        now(store.put(entry(user, "c2", t0, t0 + 60_000)));
        assertThat(now(store.remove(new PresenceKey(channel, "c1"), t0 + 5)).left()).isFalse();
        assertThat(now(store.remove(new PresenceKey(channel, "c2"), t0 + 5)).left()).isTrue();
        assertThat(now(store.remove(new PresenceKey(channel, "c2"), t0 + 6)).isNoop()).isTrue();
        assertThat(now(store.members(channel))).isEmpty();
        assertThat(now(store.counts(channel))).isEqualTo(new PresenceCounts(0, 0));
    }

    @Test
    void everyWriteReportsTheChannelsCountsAfterItAndWhetherMembershipChanged() {
        PresenceChange joined = now(store.put(entry(user, "c1", t0, t0 + 60_000)));
        assertThat(joined.counts()).isEqualTo(new PresenceCounts(1, 1));
        PresenceChange tab = now(store.put(entry(user, "c2", t0, t0 + 60_000)));
        assertThat(tab.counts()).isEqualTo(new PresenceCounts(1, 2));
        assertThat(tab.membershipChanged()).isTrue();
        PresenceChange other = now(store.put(entry("other-" + user, "c3", t0, t0 + 60_000)));
        assertThat(other.counts()).isEqualTo(new PresenceCounts(2, 3));
        PresenceChange restated = now(store.put(entry(user, "c1", t0 + 1, t0 + 60_001)));
        assertThat(restated.counts()).isEqualTo(new PresenceCounts(2, 3));
        assertThat(restated.membershipChanged()).isFalse();
        PresenceChange left = now(store.remove(new PresenceKey(channel, "c3"), t0 + 2));
        assertThat(left.counts()).isEqualTo(new PresenceCounts(1, 2));
        PresenceChange expired = now(store.expire(new PresenceKey(channel, "c2"), t0 + 60_000));
        assertThat(expired.counts()).isEqualTo(new PresenceCounts(1, 1));
    }

    @Test
    void entriesComeDueInExpiryOrderAndATouchedEntryDoesNotExpire() {
        now(store.put(entry(user, "late", t0, t0 + 3_000)));
        now(store.put(entry(user, "early", t0, t0 + 1_000)));
        now(store.put(entry("other-" + user, "never", t0, t0 + 60_000)));
        List<PresenceKey> due = now(store.due(t0 + 5_000, 10)).stream().filter(k -> k.channel().equals(channel)).toList();
        assertThat(due).extracting(PresenceKey::connectionId).containsExactly("early", "late");

        assertThat(now(store.touch(new PresenceKey(channel, "late"), t0 + 4_000, t0 + 64_000))).isTrue();
        assertThat(now(store.expire(new PresenceKey(channel, "late"), t0 + 5_000)).isNoop()).isTrue();
        PresenceChange expired = now(store.expire(new PresenceKey(channel, "early"), t0 + 5_000));
        assertThat(expired.after()).extracting(PresenceEntry::connectionId).containsExactly("late");
        assertThat(now(store.due(t0 + 5_000, 10))).noneMatch(k -> k.channel().equals(channel));
    }

    @Test
    void aUserIsFoundInEveryChannelAndKeepsALastSeenTimeAfterLeaving() {
        now(store.put(entry(user, "c1", t0, t0 + 60_000)));
        PresenceEntry elsewhere = new PresenceEntry(channel + "-b", user, "c9", WsClient.JSON.createObjectNode(),
                PresenceEntry.Status.away, t0, t0 + 10, t0 + 60_000);
        now(store.put(elsewhere));
        UserPresence both = now(store.user(user));
        assertThat(both.entries()).extracting(PresenceEntry::channel).containsExactlyInAnyOrder(channel, channel + "-b");
        assertThat(both.lastSeen()).isEqualTo(t0 + 10);

        now(store.remove(new PresenceKey(channel, "c1"), t0 + 20));
        now(store.expire(new PresenceKey(channel + "-b", "c9"), t0 + 60_000));
        UserPresence gone = now(store.user(user));
        assertThat(gone.entries()).isEmpty();
        assertThat(gone.lastSeen()).isEqualTo(t0 + 20);
        assertThat(now(store.user("never-" + user)).lastSeen()).isEqualTo(-1);
    }

    @Test
    void putReplacesAConnectionsEntryAndMovesItsExpiry() {
        now(store.put(entry(user, "c1", t0, t0 + 1_000)));
        now(store.put(entry(user, "c1", t0 + 500, t0 + 61_000)));
        assertThat(now(store.members(channel))).singleElement()
                .satisfies(e -> assertThat(e.expiresAt()).isEqualTo(t0 + 61_000));
        assertThat(now(store.due(t0 + 2_000, 10))).noneMatch(k -> k.channel().equals(channel));
    }
}
