package dev.tandem.auth;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.testing.LogCapture;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestTokens;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Production-mode authentication over /ws: who gets in with which token, and who does not. */
class JwtAuthenticationTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestTokens.production("auth.connectTimeout", "1s"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aValidTokenInTheQueryConnectsAsItsSubject() {
        String token = TestTokens.forUser("alice", c -> c.claim("name", "Alice").claim("roles", List.of("editor")));
        try (WsClient client = server.connectWithToken(token)) {
            JsonNode connected = client.connected();
            assertThat(connected.path("type").asText()).isEqualTo("connected");
            assertThat(connected.path("payload").path("userId").asText()).isEqualTo("alice");
            assertThat(connected.path("payload").path("expiresAt").asLong()).isGreaterThan(System.currentTimeMillis());
        }
    }

    @Test
    void aBearerHeaderIsAcceptedLikeTheQueryToken() {
        try (WsClient client = WsClient.connect(server.ws(""), "Authorization", "Bearer " + TestTokens.forUser("bob"))) {
            assertThat(client.connected().path("payload").path("userId").asText()).isEqualTo("bob");
        }
    }

    static Stream<Arguments> hostileTokens() {
        JWTClaimsSet valid = TestTokens.claims("mallory").build();
        Date past = Date.from(Instant.now().minus(Duration.ofMinutes(5)));
        Date future = Date.from(Instant.now().plus(Duration.ofMinutes(5)));
        return Stream.of(
                Arguments.of("forged payload", TestTokens.tampered(TestTokens.hs256(valid), TestTokens.claims("admin").build()),
                        "signature"),
                Arguments.of("expired", TestTokens.hs256(TestTokens.claims("mallory").expirationTime(past).build()), "expired"),
                Arguments.of("not yet valid", TestTokens.hs256(TestTokens.claims("mallory").notBeforeTime(future).build()),
                        "not valid yet"),
                Arguments.of("wrong algorithm (HS512)", TestTokens.hmac(JWSAlgorithm.HS512, TestTokens.SECRET + TestTokens.SECRET, valid),
                        "algorithm"),
                Arguments.of("alg none", TestTokens.none(valid), "must be signed"),
                Arguments.of("wrong key", TestTokens.hmac(JWSAlgorithm.HS256, "another-secret-0123456789-abcdefghijklmn", valid),
                        "signature"),
                Arguments.of("missing exp", TestTokens.hs256(new JWTClaimsSet.Builder().subject("mallory").build()), "'exp'"),
                Arguments.of("missing sub", TestTokens.hs256(new JWTClaimsSet.Builder().expirationTime(future).build()), "'sub'"),
                Arguments.of("garbage", "not.a.jwt", "not a valid JWT"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileTokens")
    void aHostileTokenIsRefusedWith4001AndNeverConnects(String name, String token, String reason) throws Exception {
        try (WsClient client = server.connectWithToken(token)) {
            JsonNode first = client.nextOfType("disconnect");
            assertThat(first.path("payload").path("code").asInt()).isEqualTo(4001);
            assertThat(first.path("payload").path("reason").asText()).contains(reason);
            assertThat(client.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4001);
            assertThat(client.drain()).noneMatch(f -> f.path("type").asText().equals("connected"));
        }
    }

    @Test
    void withoutATokenTheConnectionWaitsForAConnectFrame() {
        try (WsClient client = WsClient.connect(server.ws(""))) {
            assertThat(client.poll(Duration.ofMillis(300))).as("nothing before connect").isNull();
            JsonNode refused = client.request(command("subscribe").put("channel", "room:early"));
            assertThat(refused.path("payload").path("code").asText()).isEqualTo("unauthorized");

            JsonNode connected = client.request(command("connect").put("token", TestTokens.forUser("carol")));
            assertThat(connected.path("type").asText()).isEqualTo("connected");
            assertThat(connected.path("payload").path("userId").asText()).isEqualTo("carol");
            assertThat(client.subscribe("room:late").path("type").asText()).isEqualTo("subscribed");
        }
    }

    @Test
    void aConnectFrameWithABadTokenGetsUnauthorizedAndIsClosed() throws Exception {
        try (WsClient client = WsClient.connect(server.ws(""))) {
            JsonNode error = client.request(command("connect").put("token", TestTokens.none(TestTokens.claims("eve").build())));
            assertThat(error.path("type").asText()).isEqualTo("error");
            assertThat(error.path("payload").path("code").asText()).isEqualTo("unauthorized");
            assertThat(client.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4001);
        }
    }

    @Test
    void aConnectionThatNeverSendsConnectIsClosedAfterTheTimeout() throws Exception {
        try (WsClient client = WsClient.connect(server.ws(""))) {
            JsonNode disconnect = client.nextOfType("disconnect");
            assertThat(disconnect.path("payload").path("code").asInt()).isEqualTo(4001);
            assertThat(client.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4001);
        }
    }

    @Test
    void theDevUserParameterIsIgnoredInProduction() {
        try (WsClient client = WsClient.connect(server.ws("user=admin"))) {
            JsonNode reply = client.request(command("subscribe").put("channel", "room:x"));
            assertThat(reply.path("payload").path("code").asText()).isEqualTo("unauthorized");
        }
    }

    @Test
    void authFailuresAreLoggedWithAReasonAndAddressButNeverTheToken() throws Exception {
        String token = TestTokens.hs256(TestTokens.claims("mallory").expirationTime(Date.from(Instant.now().minusSeconds(120))).build());
        try (LogCapture logs = new LogCapture(); WsClient client = server.connectWithToken(token)) {
            client.closed().get(10, TimeUnit.SECONDS);
            Awaitility.await().until(() -> logs.lines().stream().anyMatch(l -> l.contains("reason=expired")));
            assertThat(logs.lines()).anyMatch(l -> l.contains("auth failure reason=expired remote=/127.0.0.1:"));
            String signature = token.substring(token.lastIndexOf('.') + 1);
            assertThat(logs.lines()).noneMatch(l -> l.contains(signature) || l.contains(TestTokens.SECRET));
            assertThat(server.server().metrics().scrape()).contains("tandem_refusals_total{reason=\"expired\"}");
        }
    }

    @Test
    void aRequestThatNeedsAnIdentityAtOnceIsRefusedWithoutAToken() {
        Authenticator authenticator = new Authenticator(TestServer.config(TestTokens.production()), new TandemMetrics());
        Identity identity = authenticator.requireIdentity(
                Map.of("token", List.of(TestTokens.forUser("ivy", c -> c.claim("info", Map.of("color", "red"))))),
                null, "/127.0.0.1:1");
        assertThat(identity.userId()).isEqualTo("ivy");
        assertThat(identity.info().path("color").asText()).isEqualTo("red");
        assertThat(identity.anonymous()).isFalse();
        assertThatThrownBy(() -> authenticator.requireIdentity(Map.of(), null, "/127.0.0.1:1"))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("token is required");
    }
}
