package dev.tandem.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.CloseCode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LiveCollectionTest {
    private static final Duration WAIT = Duration.ofSeconds(20);

    private RealServer server;

    @BeforeEach
    void start() {
        server = RealServer.start(Map.of("collections.notes.conflict", "merge"));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static ObjectNode data(String title, int total) {
        return Frames.JSON.createObjectNode().put("title", title).put("total", total);
    }

    @Test
    void writesOverTheConnectionAreAnsweredWithTheStoredRecordAndFollowedByChangeEventsInOrder() {
        LiveCollection watched = server.connect("bob").collection("invoices");
        Changes changes = new Changes();
        watched.subscribe(changes).subscribed().join();
        LiveCollection invoices = server.connect("alice").collection("invoices");

        EntityRecord created = invoices.create("inv-1", data("Invoice 1", 40)).join();
        EntityRecord updated = invoices.update("inv-1", created.version(), data("Invoice 1", 41)).join();
        EntityRecord patched = invoices.patch("inv-1", updated.version(),
                Frames.JSON.createObjectNode().putNull("title").put("paid", true)).join();
        EntityRecord deleted = invoices.delete("inv-1", patched.version()).join();

        await().atMost(WAIT).until(() -> changes.seen.size() == 4);
        assertThat(created.version()).isEqualTo(1);
        assertThat(created.updatedBy()).isEqualTo("alice");
        assertThat(updated.version()).isEqualTo(2);
        assertThat(patched.data().has("title")).isFalse();
        assertThat(patched.data().path("paid").asBoolean()).isTrue();
        assertThat(patched.data().path("total").asInt()).isEqualTo(41);
        assertThat(deleted.version()).isEqualTo(4);
        assertThat(changes.seen).extracting(EntityChange::kind).containsExactly(EntityChange.Kind.CREATED,
                EntityChange.Kind.UPDATED, EntityChange.Kind.UPDATED, EntityChange.Kind.DELETED);
        assertThat(changes.seen).extracting(EntityChange::version).containsExactly(1L, 2L, 3L, 4L);
        assertThat(changes.seen.get(1).changed()).containsExactly("total");
        assertThat(changes.seen.get(2).record().data().path("paid").asBoolean()).isTrue();
        assertThat(changes.seen.get(0).id()).isEqualTo("inv-1");
    }

    @Test
    void anUpdateBasedOnAStaleVersionFailsWithTheRecordTheServerHolds() {
        LiveCollection invoices = server.connect("alice").collection("invoices");
        EntityRecord v1 = invoices.create(data("Invoice", 40)).join();
        invoices.update(v1.id(), 1, data("Invoice", 45)).join();

        assertThatThrownBy(() -> invoices.update(v1.id(), 1, data("Invoice", 50)).join()).cause()
                .isInstanceOfSatisfying(EntityConflictException.class, e -> {
                    assertThat(e.code()).isEqualTo("conflict");
                    assertThat(e.current()).hasValueSatisfying(current -> {
                        assertThat(current.version()).isEqualTo(2);
                        assertThat(current.data().path("total").asInt()).isEqualTo(45);
                    });
                });
        assertThatThrownBy(() -> invoices.delete(v1.id(), 1).join()).cause()
                .isInstanceOf(EntityConflictException.class);
    }

    @Test
    void aMergeCollectionAppliesDisjointPatchesAndNamesTheFieldsBothSidesChanged() {
        LiveCollection notes = server.connect("alice").collection("notes");
        EntityRecord base = notes.create("n1", data("Note", 1)).join();
        notes.patch("n1", base.version(), Frames.JSON.createObjectNode().put("total", 2)).join();

        EntityRecord merged = notes.patch("n1", base.version(), Frames.JSON.createObjectNode().put("title", "Renamed")).join();

        assertThat(merged.version()).isEqualTo(3);
        assertThat(merged.data().path("title").asText()).isEqualTo("Renamed");
        assertThat(merged.data().path("total").asInt()).isEqualTo(2);
        assertThatThrownBy(() -> notes.patch("n1", base.version(), Frames.JSON.createObjectNode().put("total", 9)).join())
                .cause().isInstanceOfSatisfying(EntityConflictException.class, e -> {
                    assertThat(e.fields()).hasSize(1);
                    assertThat(e.fields().get(0).path()).isEqualTo("total");
                    assertThat(e.fields().get(0).mine().asInt()).isEqualTo(9);
                    assertThat(e.fields().get(0).theirs().asInt()).isEqualTo(2);
                });
    }

    @Test
    void getAndListReadTheRecordsOverRestWithFiltersAndPages() {
        LiveCollection tasks = server.connect("alice").collection("tasks");
        for (int i = 1; i <= 5; i++) {
            tasks.create("t" + i, Frames.JSON.createObjectNode().put("status", i % 2 == 0 ? "done" : "open")).join();
        }

        EntityRecord third = tasks.get("t3").join();
        EntityPage firstPage = tasks.list(EntityQuery.all().limit(2)).join();
        List<EntityRecord> open = tasks.listAll(EntityQuery.all().where("status", "open").limit(1)).join();

        assertThat(third.data().path("status").asText()).isEqualTo("open");
        assertThat(firstPage.records()).extracting(EntityRecord::id).containsExactly("t1", "t2");
        assertThat(firstPage.hasNext()).isTrue();
        assertThat(open).extracting(EntityRecord::id).containsExactly("t1", "t3", "t5");
        assertThatThrownBy(() -> tasks.get("missing").join()).cause()
                .isInstanceOfSatisfying(TandemException.class, e -> {
                    assertThat(e.code()).isEqualTo("not_found");
                    assertThat(e.httpStatus()).isEqualTo(404);
                });
    }

    @Test
    void changesMadeWhileTheSubscriberWasDisconnectedArriveAfterItReconnects() {
        LiveCollection watched = server.connect("bob").collection("orders");
        Changes changes = new Changes();
        watched.subscribe(changes).subscribed().join();
        LiveCollection orders = server.connect("alice").collection("orders");
        orders.create("o1", data("first", 1)).join();
        await().atMost(WAIT).until(() -> changes.seen.size() == 1);

        server.server.sessions().disconnectUser("bob", CloseCode.POLICY, "test drop");
        orders.create("o2", data("second", 2)).join();
        orders.create("o3", data("third", 3)).join();

        await().atMost(WAIT).until(() -> changes.seen.size() == 3);
        assertThat(changes.seen).extracting(EntityChange::id).containsExactly("o1", "o2", "o3");
        assertThat(changes.reloads).hasValue(0);
    }

    @Test
    void aRefreshFromTheServerApiTellsSubscribersToReload() {
        LiveCollection watched = server.connect("bob").collection("boards");
        Changes changes = new Changes();
        watched.subscribe(changes).subscribed().join();
        ServerApiClient api = new ServerApiClient(server.http(), null);

        api.createRecord("boards", "b1", data("Board", 0)).join();
        api.refreshCollection("boards").join();

        await().atMost(WAIT).until(() -> changes.reloads.get() == 1);
        assertThat(changes.seen).extracting(EntityChange::id).containsExactly("b1");
        assertThat(changes.seen.get(0).record().updatedBy()).isEqualTo("server");
    }

    /** Records what an entity listener heard. */
    static final class Changes implements EntityListener {
        final List<EntityChange> seen = new CopyOnWriteArrayList<>();
        final AtomicInteger reloads = new AtomicInteger();

        @Override
        public void onChange(EntityChange change) {
            seen.add(change);
        }

        @Override
        public void onReload() {
            reloads.incrementAndGet();
        }
    }
}
