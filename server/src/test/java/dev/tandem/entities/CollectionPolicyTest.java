package dev.tandem.entities;

import static dev.tandem.entities.EntityFrames.json;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.auth.ChannelAccess;
import dev.tandem.auth.Identity;
import dev.tandem.config.TandemConfig;
import dev.tandem.testing.TestServer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Read and write rules of a collection, and which channels need per-event filtering at all. */
class CollectionPolicyTest {
    private static final Identity ALICE = new Identity("alice", "alice", Set.of(), List.of(), null, null, false);
    private static final Identity AUDITOR = new Identity("audit", "audit", Set.of("auditor"), List.of(), null, null, false);
    private static final Identity ANONYMOUS = Identity.anonymous("anon-1");

    private final TandemConfig config = TestServer.config(Map.of("dev", "false", "auth.jwt.secret", "x".repeat(32),
            "collections.notes.read", "owner", "collections.audit.read", "role:auditor",
            "collections.boards.read", "members", "collections.open.read", "anonymous"));
    private final CollectionCatalog catalog = new CollectionCatalog(config);
    private final EntityAccess access = new EntityAccess(catalog, false);

    @Test
    void onlyChannelsOfRecordDependentRulesAreFilteredPerEvent() {
        assertThat(access.appliesTo("entity:notes")).isTrue();
        assertThat(access.appliesTo("entity:notes:n1")).isTrue();
        assertThat(access.appliesTo("entity:boards")).isTrue();
        assertThat(access.appliesTo("entity:audit")).isFalse();
        assertThat(access.appliesTo("entity:open")).isFalse();
        assertThat(access.appliesTo("entity:unknown")).isFalse();
    }

    @Test
    void recordIndependentRulesAreDecidedAtSubscribe() {
        assertThat(access.allows(AUDITOR, "entity:audit", ChannelAccess.Action.SUBSCRIBE)).isTrue();
        assertThat(access.allows(ALICE, "entity:audit", ChannelAccess.Action.SUBSCRIBE)).isFalse();
        assertThat(access.allows(ANONYMOUS, "entity:open", ChannelAccess.Action.SUBSCRIBE)).isTrue();
        assertThat(access.allows(ALICE, "entity:notes", ChannelAccess.Action.SUBSCRIBE)).isTrue();
        assertThat(access.allows(ANONYMOUS, "entity:notes", ChannelAccess.Action.SUBSCRIBE)).isFalse();
        assertThat(access.allows(ALICE, "entity:notes", ChannelAccess.Action.HISTORY)).isFalse();
        assertThat(access.allows(ALICE, "entity:notes", ChannelAccess.Action.PUBLISH)).isFalse();
        assertThat(access.allows(ALICE, "entity:unknown", ChannelAccess.Action.SUBSCRIBE)).isFalse();
    }

    @Test
    void ownerAndMembersRulesReadTheRecord() {
        CollectionPolicy notes = catalog.find("notes");
        assertThat(notes.mayRead(Actor.user(ALICE), json("{'owner':'alice'}"))).isTrue();
        assertThat(notes.mayRead(Actor.user(ALICE), json("{'owner':'bob'}"))).isFalse();
        assertThat(notes.mayRead(Actor.server(), json("{'owner':'bob'}"))).isTrue();
        CollectionPolicy boards = catalog.find("boards");
        assertThat(boards.mayRead(Actor.user(ALICE), json("{'members':['bob','alice']}"))).isTrue();
        assertThat(boards.mayRead(Actor.user(ALICE), json("{'members':'alice'}"))).isFalse();
        assertThat(boards.mayWrite(Actor.user(ANONYMOUS), json("{}"))).isFalse();
    }
}
