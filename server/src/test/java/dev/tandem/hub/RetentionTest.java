package dev.tandem.hub;

import static dev.tandem.testing.WsClient.messageSend;
import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.MutableClock;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestStore;
import dev.tandem.testing.WsClient;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Retention moves expired durable events to the gzip NDJSON archive, per namespace, on both stores. */
class RetentionTest {

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void expiredEventsMoveToTheArchiveAndLeaveHistoryWhileLongerRetentionsStay(TestStore store) throws Exception {
        Map<String, String> config = new HashMap<>(store.fresh());
        config.put("namespaces.keep.history", "durable");
        config.put("namespaces.keep.retention", "30d");
        MutableClock clock = new MutableClock();
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        try (TestServer server = TestServer.start(config, clock); WsClient alice = server.connect("alice")) {
            for (int i = 1; i <= 5; i++) {
                alice.request(messageSend("chat:old", "k" + i, "message " + i));
            }
            alice.publish("keep:this", WsClient.JSON.createObjectNode().put("x", 1));
            String epoch = alice.subscribe("chat:old").path("payload").path("epoch").asText();

            assertThat(server.server().retention().runOnce().get(30, TimeUnit.SECONDS)).isZero();
            clock.advance(Duration.ofDays(8));
            assertThat(server.server().retention().runOnce().get(30, TimeUnit.SECONDS)).isEqualTo(5);

            JsonNode history = alice.request(command("history").put("channel", "chat:old").put("after", 0));
            assertThat(history.path("payload").path("publications")).isEmpty();
            assertThat(history.path("payload").path("seq").asLong()).isEqualTo(5);
            JsonNode kept = alice.request(command("history").put("channel", "keep:this").put("after", 0));
            assertThat(kept.path("payload").path("publications")).hasSize(1);

            HttpResponse<String> archived = server.get("/api/channels/chat:old/archive?day=" + today);
            assertThat(archived.statusCode()).isEqualTo(200);
            assertThat(archived.headers().firstValue("content-type").orElse("")).startsWith("application/x-ndjson");
            List<Long> seqs = new ArrayList<>();
            for (String line : archived.body().split("\n")) {
                JsonNode event = WsClient.JSON.readTree(line);
                assertThat(event.path("channel").asText()).isEqualTo("chat:old");
                assertThat(event.path("type").asText()).isEqualTo("message.new");
                assertThat(event.path("payload").path("content").asText()).isEqualTo("message " + event.path("seq").asLong());
                seqs.add(event.path("seq").asLong());
            }
            assertThat(seqs).containsExactly(1L, 2L, 3L, 4L, 5L);
            assertThat(server.get("/api/channels/chat:old/archive?day=" + today.minusDays(1)).statusCode()).isEqualTo(404);
            assertThat(server.get("/api/channels/chat:old/archive?day=yesterday").statusCode()).isEqualTo(400);

            try (WsClient late = server.connect("late")) {
                assertThat(late.subscribe("chat:old", 0, epoch).path("payload").path("recovered").asBoolean()).isFalse();
            }
            JsonNode resent = alice.request(messageSend("chat:old", "k1", "the idempotency window has passed"));
            assertThat(resent.path("payload").path("duplicate").asBoolean()).isFalse();
            assertThat(resent.path("payload").path("seq").asLong()).isEqualTo(6);
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void onlyAChannelsExpiredOldestEventsLeaveAndTheNewerOnesFollowOnALaterRun(TestStore store) throws Exception {
        MutableClock clock = new MutableClock();
        LocalDate firstDay = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
        try (TestServer server = TestServer.start(store.fresh(), clock); WsClient alice = server.connect("alice")) {
            for (int i = 1; i <= 3; i++) {
                alice.request(messageSend("chat:aging", "a" + i, "old " + i));
            }
            clock.advance(Duration.ofDays(5));
            for (int i = 4; i <= 5; i++) {
                alice.request(messageSend("chat:aging", "a" + i, "newer " + i));
            }
            clock.advance(Duration.ofDays(3));

            assertThat(server.server().retention().runOnce().get(30, TimeUnit.SECONDS)).isEqualTo(3);
            JsonNode history = alice.request(command("history").put("channel", "chat:aging").put("after", 0));
            assertThat(history.path("payload").path("publications").findValuesAsText("seq"))
                    .containsExactly("4", "5");
            assertThat(archivedSeqs(server, "chat:aging", firstDay)).containsExactly(1L, 2L, 3L);

            clock.advance(Duration.ofDays(5));
            assertThat(server.server().retention().runOnce().get(30, TimeUnit.SECONDS)).isEqualTo(2);
            assertThat(archivedSeqs(server, "chat:aging", firstDay.plusDays(5))).containsExactly(4L, 5L);
            assertThat(server.server().retention().runOnce().get(30, TimeUnit.SECONDS)).isZero();
        }
    }

    private static List<Long> archivedSeqs(TestServer server, String channel, LocalDate day) throws Exception {
        HttpResponse<String> archived = server.get("/api/channels/" + channel + "/archive?day=" + day);
        assertThat(archived.statusCode()).as("archive of %s", day).isEqualTo(200);
        List<Long> seqs = new ArrayList<>();
        for (String line : archived.body().split("\n")) {
            seqs.add(WsClient.JSON.readTree(line).path("seq").asLong());
        }
        return seqs;
    }

    @org.junit.jupiter.api.Test
    void postgresKeepsMonthlyPartitionsAheadAndDropsExpiredEmptyOnes() throws Exception {
        Map<String, String> config = TestStore.POSTGRES.fresh();
        MutableClock clock = new MutableClock();
        YearMonth now = YearMonth.now(ZoneOffset.UTC);
        try (TestServer server = TestServer.start(config, clock); WsClient alice = server.connect("alice")) {
            alice.request(messageSend("chat:parts", "p1", "hello"));
            assertThat(partitions(config)).contains(name(now), name(now.plusMonths(1)), name(now.plusMonths(2)));
            clock.advance(Duration.ofDays(100));
            assertThat(server.server().retention().runOnce().get(30, TimeUnit.SECONDS)).isEqualTo(1);
            YearMonth later = YearMonth.from(clock.instant().atZone(ZoneOffset.UTC));
            assertThat(partitions(config)).doesNotContain(name(now)).contains(name(later), name(later.plusMonths(2)));
        }
    }

    @org.junit.jupiter.api.Test
    void postgresForgetsExpiredClientMessageIdsThroughAnIndexNotAFullScan() throws Exception {
        Map<String, String> config = TestStore.POSTGRES.fresh();
        try (TestServer server = TestServer.start(config); WsClient alice = server.connect("alice")) {
            alice.request(messageSend("chat:ids", "c1", "hello"));
        }
        try (Connection connection = DriverManager.getConnection(TestStore.POSTGRES_URL, "postgres", "");
             Statement statement = connection.createStatement()) {
            statement.execute("SET search_path TO " + config.get("store.postgres.schema"));
            // A one-row table is scanned whatever the indexes; with scans priced out the plan shows what exists.
            statement.execute("SET enable_seqscan = off");
            StringBuilder plan = new StringBuilder();
            try (ResultSet rs = statement.executeQuery("EXPLAIN DELETE FROM client_msg_ids WHERE created_at < 1")) {
                while (rs.next()) {
                    plan.append(rs.getString(1)).append('\n');
                }
            }
            assertThat(plan.toString()).contains("client_msg_ids_created");
        }
    }

    private static String name(YearMonth month) {
        return String.format("events_y%04dm%02d", month.getYear(), month.getMonthValue());
    }

    private static List<String> partitions(Map<String, String> config) throws Exception {
        try (Connection connection = DriverManager.getConnection(TestStore.POSTGRES_URL, "postgres", "");
             PreparedStatement select = connection.prepareStatement(
                     "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                             + "JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace "
                             + "WHERE p.relname = 'events' AND n.nspname = ?")) {
            select.setString(1, config.get("store.postgres.schema"));
            List<String> names = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return names;
        }
    }
}
