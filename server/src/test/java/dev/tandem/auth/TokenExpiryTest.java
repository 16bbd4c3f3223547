package dev.tandem.auth;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestTokens;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A session lives as long as its token, and can be extended with refresh. */
class TokenExpiryTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestTokens.production("auth.expiryGrace", "1s"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static String expiringIn(String user, Duration ttl) {
        return TestTokens.forUser(user, c -> c.expirationTime(Date.from(Instant.now().plus(ttl))));
    }

    @Test
    void anExpiredSessionGetsUnauthorizedThenIsClosedWith4001AfterTheGracePeriod() throws Exception {
        try (WsClient client = server.connectWithToken(expiringIn("dora", Duration.ofSeconds(2)))) {
            client.connected();
            JsonNode error = client.nextOfType("error");
            assertThat(error.path("payload").path("code").asText()).isEqualTo("unauthorized");
            assertThat(error.path("payload").path("message").asText()).contains("refresh");
            JsonNode refused = client.request(command("subscribe").put("channel", "room:after-expiry"));
            assertThat(refused.path("payload").path("code").asText()).as("commands during the grace period").isEqualTo("unauthorized");
            assertThat(client.nextOfType("disconnect").path("payload").path("code").asInt()).isEqualTo(4001);
            assertThat(client.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4001);
        }
    }

    @Test
    void refreshBeforeExpiryKeepsTheSessionOpenPastTheOldExpiry() throws Exception {
        try (WsClient client = server.connectWithToken(expiringIn("erin", Duration.ofSeconds(2)))) {
            client.connected();
            client.subscribe("room:refresh");
            JsonNode refreshed = client.request(command("refresh").put("token", expiringIn("erin", Duration.ofHours(1))));
            assertThat(refreshed.path("type").asText()).isEqualTo("refreshed");
            assertThat(refreshed.path("payload").path("expiresAt").asLong())
                    .isGreaterThan(Instant.now().plus(Duration.ofMinutes(30)).toEpochMilli());
            // Past the old expiry and its grace period: no error, no close, commands still run.
            assertThat(client.poll(Duration.ofSeconds(4))).isNull();
            assertThat(client.closed()).isNotDone();
            assertThat(client.request(command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void refreshDuringTheGracePeriodRestoresTheSession() {
        try (WsClient client = server.connectWithToken(expiringIn("fred", Duration.ofSeconds(1)))) {
            client.connected();
            assertThat(client.nextOfType("error").path("payload").path("code").asText()).isEqualTo("unauthorized");
            JsonNode refreshed = client.request(command("refresh").put("token", expiringIn("fred", Duration.ofHours(1))));
            assertThat(refreshed.path("type").asText()).isEqualTo("refreshed");
            assertThat(client.subscribe("room:restored").path("type").asText()).isEqualTo("subscribed");
            assertThat(client.poll(Duration.ofSeconds(2))).isNull();
            assertThat(client.closed()).isNotDone();
        }
    }

    @Test
    void refreshWithAnotherUsersTokenIsRefused() {
        try (WsClient client = server.connectWithToken(TestTokens.forUser("gina"))) {
            client.connected();
            JsonNode reply = client.request(command("refresh").put("token", TestTokens.forUser("root")));
            assertThat(reply.path("payload").path("code").asText()).isEqualTo("unauthorized");
            assertThat(reply.path("payload").path("message").asText()).contains("another user");
            assertThat(client.request(command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void refreshWithAnExpiredTokenIsRefused() {
        try (WsClient client = server.connectWithToken(TestTokens.forUser("hank"))) {
            client.connected();
            String expired = TestTokens.forUser("hank", c -> c.expirationTime(Date.from(Instant.now().minusSeconds(600))));
            JsonNode reply = client.request(command("refresh").put("token", expired));
            assertThat(reply.path("payload").path("code").asText()).isEqualTo("unauthorized");
        }
    }
}
