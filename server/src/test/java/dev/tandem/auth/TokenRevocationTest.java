package dev.tandem.auth;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestStore;
import dev.tandem.testing.TestTokens;
import dev.tandem.testing.WsClient;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code POST /api/tokens/revoke} on a real server, on H2 and on PostgreSQL: revoked tokens are refused at
 * connect and refresh like invalid ones, live sessions that used them are closed with 4001, and revocations
 * survive a restart, reach other nodes on one database, and are purged once expired.
 */
class TokenRevocationTest {
    private static final String KEY = "revoke-key";

    private static Map<String, String> config(Map<String, String> store) {
        Map<String, String> config = new HashMap<>(TestTokens.production("api.key", KEY));
        config.putAll(store);
        return config;
    }

    private static HttpResponse<String> revoke(TestServer server, String body) {
        return server.post("/api/tokens/revoke", body, "Authorization", "apikey " + KEY, "Content-Type", "application/json");
    }

    private static String token(String user, String jti, Instant issuedAt) {
        return TestTokens.forUser(user, c -> c.jwtID(jti).issueTime(Date.from(issuedAt)));
    }

    private static long inAnHour() {
        return Instant.now().plus(Duration.ofHours(1)).getEpochSecond();
    }

    private static void assertRefusedAtHandshake(TestServer server, String token) throws Exception {
        try (WsClient client = server.connectWithToken(token)) {
            JsonNode disconnect = client.nextOfType("disconnect");
            assertThat(disconnect.path("payload").path("code").asInt()).isEqualTo(4001);
            assertThat(disconnect.path("payload").path("reason").asText()).contains("revoked");
            assertThat(client.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4001);
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void aRevokedJtiClosesItsLiveSessionAndIsRefusedAtConnectWhileTheUsersOtherTokensStillWork(TestStore store)
            throws Exception {
        try (TestServer server = TestServer.start(config(store.fresh()))) {
            String revoked = token("rita", "jti-revoked", Instant.now());
            try (WsClient live = server.connectWithToken(revoked);
                 WsClient other = server.connectWithToken(token("rita", "jti-other", Instant.now()))) {
                live.connected();
                other.connected();
                HttpResponse<String> response = revoke(server, "{\"jti\":\"jti-revoked\",\"expiresAt\":" + inAnHour() + "}");
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);

                assertThat(live.nextOfType("disconnect").path("payload").path("code").asInt()).isEqualTo(4001);
                assertThat(live.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4001);
                assertThat(other.subscribe("room:still-open").path("type").asText()).isEqualTo("subscribed");

                JsonNode refused = other.request(command("refresh").put("token", revoked));
                assertThat(refused.path("payload").path("code").asText()).as("refresh with the revoked token")
                        .isEqualTo("unauthorized");
            }
            assertRefusedAtHandshake(server, revoked);
            try (WsClient viaConnect = WsClient.connect(server.ws(""))) {
                JsonNode error = viaConnect.request(command("connect").put("token", revoked));
                assertThat(error.path("payload").path("code").asText()).isEqualTo("unauthorized");
                assertThat(viaConnect.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4001);
            }
            assertThat(server.server().metrics().scrape()).contains("tandem_refusals_total{reason=\"revoked\"}");
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void revokingAUserRefusesTokensIssuedBeforeTheCutOffAndAcceptsNewerOnes(TestStore store) throws Exception {
        try (TestServer server = TestServer.start(config(store.fresh()))) {
            Instant cutOff = Instant.now();
            String old = token("uma", "uma-old", cutOff.minusSeconds(60));
            String withoutIat = TestTokens.forUser("uma");
            try (WsClient live = server.connectWithToken(old); WsClient bystander = server.connectWithToken(
                    token("vic", "vic-1", cutOff.minusSeconds(60)))) {
                live.connected();
                bystander.connected();
                HttpResponse<String> response = revoke(server, "{\"user\":\"uma\",\"issuedBefore\":" + cutOff.getEpochSecond() + "}");
                assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
                assertThat(live.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4001);
                assertThat(bystander.subscribe("room:bystander").path("type").asText()).isEqualTo("subscribed");
            }
            assertRefusedAtHandshake(server, old);
            assertRefusedAtHandshake(server, withoutIat);
            try (WsClient fresh = server.connectWithToken(token("uma", "uma-new", cutOff.plusSeconds(5)))) {
                assertThat(fresh.connected().path("payload").path("userId").asText()).isEqualTo("uma");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void revocationsSurviveARestartAndExpiredOnesArePurged(TestStore store) throws Exception {
        Map<String, String> config = config(store.fresh());
        String revoked = token("walt", "walt-1", Instant.now());
        long soon;
        try (TestServer server = TestServer.start(config)) {
            soon = Instant.now().plusSeconds(3).getEpochSecond();
            assertThat(revoke(server, "{\"jti\":\"walt-1\",\"expiresAt\":" + inAnHour() + "}").statusCode()).isEqualTo(200);
            assertThat(revoke(server, "{\"jti\":\"short-lived\",\"expiresAt\":" + soon + "}").statusCode()).isEqualTo(200);
            assertThat(rows(server, "revoked_tokens")).isEqualTo(2);
        }
        long expiry = soon;
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().getEpochSecond() > expiry);
        try (TestServer restarted = TestServer.start(config)) {
            assertRefusedAtHandshake(restarted, revoked);
            // The first reload after start purges: the expired revocation is gone, the live one stays.
            assertThat(rows(restarted, "revoked_tokens")).isEqualTo(1);
        }
    }

    @Test
    void aRevocationOnOneNodeReachesAnotherNodeOnTheSamePostgresDatabase() throws Exception {
        Map<String, String> shared = config(TestStore.POSTGRES.fresh());
        Map<String, String> second = new HashMap<>(shared);
        second.put("dataDir", TestStore.freshDirectory().toString());
        try (TestServer a = TestServer.start(shared); TestServer b = TestServer.start(second)) {
            String revoked = token("xena", "xena-1", Instant.now());
            try (WsClient onB = b.connectWithToken(revoked)) {
                onB.connected();
                assertThat(revoke(a, "{\"jti\":\"xena-1\",\"expiresAt\":" + inAnHour() + "}").statusCode()).isEqualTo(200);
                // B learns of it at its next reload (every two seconds) and closes the session itself.
                assertThat(onB.closed().get(20, TimeUnit.SECONDS)).isEqualTo(4001);
            }
            assertRefusedAtHandshake(b, revoked);
        }
    }

    @Test
    void aMalformedRevocationIsA400NamingTheProblem() {
        try (TestServer server = TestServer.start(config(TestStore.H2.fresh()))) {
            for (String body : new String[] {"{}", "{\"jti\":\"a\",\"user\":\"b\",\"expiresAt\":1}",
                    "{\"jti\":\"a\"}", "{\"jti\":\"a\",\"expiresAt\":\"soon\"}",
                    "{\"user\":\"b\",\"issuedBefore\":1733300000000}", "{\"user\":\"\",\"issuedBefore\":1}"}) {
                HttpResponse<String> response = revoke(server, body);
                assertThat(response.statusCode()).as(body).isEqualTo(400);
                assertThat(response.body()).as(body).contains("bad_request");
            }
            HttpResponse<String> withoutKey = server.post("/api/tokens/revoke", "{\"jti\":\"a\",\"expiresAt\":1}");
            assertThat(withoutKey.statusCode()).isEqualTo(401);
        }
    }

    private static long rows(TestServer server, String table) throws Exception {
        try (Connection connection = server.server().dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet count = statement.executeQuery("SELECT COUNT(*) FROM " + table)) {
            count.next();
            return count.getLong(1);
        }
    }
}
