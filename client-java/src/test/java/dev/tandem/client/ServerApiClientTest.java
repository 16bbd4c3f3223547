package dev.tandem.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ServerApiClientTest {
    private static final String KEY = "test-key-" + System.nanoTime();
    private static final String JWT_SECRET = "client-test-secret-0123456789-abcdefgh";
    private static RealServer server;
    private static ServerApiClient api;

    @BeforeAll
    static void start() {
        server = RealServer.start(Map.of("api.key", KEY, "auth.jwt.secret", JWT_SECRET));
        api = new ServerApiClient(server.http(), KEY);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aServerSidePublishReachesAWebSocketSubscriber() {
        List<Publication> received = new CopyOnWriteArrayList<>();
        try (TandemClient client = TandemClient.builder(server.ws()).devUser("watcher").build()) {
            client.connect().join();
            client.subscribe("api:feed", received::add).subscribed().join();

            long first = api.publish("api:feed", Frames.JSON.createObjectNode().put("text", "hello")).join();
            long second = api.publish("api:feed", Frames.JSON.createObjectNode().put("text", "again")).join();

            assertThat(first).isEqualTo(1);
            assertThat(second).isEqualTo(2);
            await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 2);
            assertThat(received.get(0).payload().path("text").asText()).isEqualTo("hello");
            assertThat(received.get(0).userId()).isNull();
        }
    }

    @Test
    void channelsHistoryAndInfoDescribeWhatTheServerHolds() {
        for (int i = 1; i <= 3; i++) {
            api.publish("api:listed", Frames.JSON.createObjectNode().put("i", i)).join();
        }

        List<ChannelInfo> channels = api.channels().join();
        HistoryPage page = api.history("api:listed", HistoryQuery.after(1)).join();
        JsonNode info = api.info().join();

        assertThat(channels).anySatisfy(c -> {
            assertThat(c.channel()).isEqualTo("api:listed");
            assertThat(c.seq()).isEqualTo(3);
            assertThat(c.history()).isEqualTo(3);
        });
        assertThat(page.publications()).extracting(Publication::seq).containsExactly(2L, 3L);
        assertThat(page.publications().get(1).payload().path("i").asInt()).isEqualTo(3);
        assertThat(page.more()).isFalse();
        assertThat(info.path("name").asText()).isEqualTo("tandem");
        assertThat(info.path("protocol").asInt()).isEqualTo(1);
    }

    @Test
    void aWrongKeyFailsWithUnauthorizedAndStatus401() {
        ServerApiClient wrong = new ServerApiClient(server.http(), "not-the-key");

        assertThatThrownBy(() -> wrong.info().join()).cause().isInstanceOfSatisfying(TandemException.class, e -> {
            assertThat(e.code()).isEqualTo("unauthorized");
            assertThat(e.httpStatus()).isEqualTo(401);
        });
    }

    @Test
    void badInputFailsWithTheServersErrorCode() {
        assertThatThrownBy(() -> api.publish("bad channel", Frames.JSON.createObjectNode()).join())
                .cause().isInstanceOfSatisfying(TandemException.class, e -> {
                    assertThat(e.code()).isEqualTo("bad_request");
                    assertThat(e.httpStatus()).isEqualTo(400);
                });
    }

    @Test
    void broadcastAndDisconnectReachRealConnections() {
        List<String> statuses = new CopyOnWriteArrayList<>();
        List<Publication> received = new CopyOnWriteArrayList<>();
        try (TandemClient client = TandemClient.builder(server.ws()).devUser("to-disconnect").build()) {
            client.onStatus((status, reason) -> statuses.add(status + " " + reason));
            client.connect().join();
            client.subscribe("api:cast-b", received::add).subscribed().join();

            Map<String, Long> seqs = api.broadcast(List.of("api:cast-a", "api:cast-b"),
                    Frames.JSON.createObjectNode().put("k", "v")).join();
            await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 1);
            int closed = api.disconnectUser("to-disconnect", false).join();

            assertThat(seqs).containsEntry("api:cast-a", 1L).containsEntry("api:cast-b", 1L);
            assertThat(closed).isEqualTo(1);
            await().atMost(Duration.ofSeconds(20)).until(() -> client.status() == ConnectionStatus.CLOSED);
            assertThat(statuses).anySatisfy(s -> assertThat(s).startsWith("CLOSED").contains("4003"));
        }
    }

    @Test
    void revokedTokensCloseTheirConnectionsWith4001() {
        Instant now = Instant.now();
        List<String> byJti = new CopyOnWriteArrayList<>();
        List<String> byUser = new CopyOnWriteArrayList<>();
        try (TandemClient one = TandemClient.builder(server.ws()).token(TokenSupplier.of(token("rev-a", "rev-jti-1", now))).build();
             TandemClient old = TandemClient.builder(server.ws()).token(TokenSupplier.of(token("rev-b", "rev-jti-2",
                     now.minusSeconds(60)))).build()) {
            one.onStatus((status, reason) -> byJti.add(status + " " + reason));
            old.onStatus((status, reason) -> byUser.add(status + " " + reason));
            one.connect().join();
            old.connect().join();

            api.revokeToken("rev-jti-1", now.plus(Duration.ofHours(1))).join();
            api.revokeUserTokens("rev-b", now.minusSeconds(1), null).join();

            await().atMost(Duration.ofSeconds(20)).until(() -> byJti.stream().anyMatch(s -> s.contains("4001")));
            await().atMost(Duration.ofSeconds(20)).until(() -> byUser.stream().anyMatch(s -> s.contains("4001")));
        }
        assertThatThrownBy(() -> api.revokeToken("", now.plusSeconds(60)).join())
                .cause().isInstanceOfSatisfying(TandemException.class, e -> assertThat(e.httpStatus()).isEqualTo(400));
    }

    /** An HS256 token as a back end mints it, with a {@code jti} and an {@code iat}. */
    private static String token(String user, String jti, Instant issuedAt) {
        try {
            SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), new JWTClaimsSet.Builder().subject(user)
                    .jwtID(jti).issueTime(Date.from(issuedAt)).expirationTime(Date.from(issuedAt.plus(Duration.ofHours(2))))
                    .build());
            jwt.sign(new MACSigner(JWT_SECRET.getBytes(StandardCharsets.UTF_8)));
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aBatchIsPublishedInOrderAndOneBadItemRefusesTheWholeBatch() {
        List<Long> seqs = api.publishBatch(List.of(
                new ServerApiClient.Publish("batch:a", Frames.JSON.createObjectNode().put("n", 1)),
                new ServerApiClient.Publish("batch:b", Frames.JSON.createObjectNode().put("n", 2)),
                new ServerApiClient.Publish("batch:a", Frames.JSON.createObjectNode().put("n", 3)))).join();

        assertThat(seqs).containsExactly(1L, 1L, 2L);
        assertThatThrownBy(() -> api.publishBatch(List.of(
                new ServerApiClient.Publish("batch:c", Frames.JSON.createObjectNode()),
                new ServerApiClient.Publish("bad channel", Frames.JSON.createObjectNode()))).join())
                .cause().isInstanceOfSatisfying(TandemException.class, e -> assertThat(e.httpStatus()).isEqualTo(400));
        assertThat(api.history("batch:c", HistoryQuery.latest()).join().publications()).isEmpty();
    }

    @Test
    void liveRecordsAreWrittenAndReadAsTheServerWithConflictsCarryingTheCurrentRecord() {
        EntityRecord created = api.createRecord("api-things", "x1", Frames.JSON.createObjectNode().put("n", 1)).join();
        EntityRecord updated = api.updateRecord("api-things", "x1", 1, Frames.JSON.createObjectNode().put("n", 2)).join();
        EntityRecord patched = api.patchRecord("api-things", "x1", 2, Frames.JSON.createObjectNode().put("m", 3)).join();
        EntityRecord read = api.getRecord("api-things", "x1").join();
        EntityPage page = api.listRecords("api-things", EntityQuery.all().where("m", 3)).join();

        assertThat(created.updatedBy()).isEqualTo("server");
        assertThat(updated.version()).isEqualTo(2);
        assertThat(read).isEqualTo(patched);
        assertThat(page.records()).extracting(EntityRecord::id).containsExactly("x1");
        assertThatThrownBy(() -> api.updateRecord("api-things", "x1", 1, Frames.JSON.createObjectNode()).join())
                .cause().isInstanceOfSatisfying(EntityConflictException.class, e -> {
                    assertThat(e.httpStatus()).isEqualTo(409);
                    assertThat(e.current().map(EntityRecord::version)).hasValue(3L);
                });
        assertThat(api.deleteRecord("api-things", "x1", 0).join().version()).isEqualTo(4);
        assertThatThrownBy(() -> api.getRecord("api-things", "x1").join()).cause()
                .isInstanceOfSatisfying(TandemException.class, e -> assertThat(e.code()).isEqualTo("not_found"));
    }

    @Test
    void theAcknowledgementLagOfAChannelIsReadable() {
        JsonNode acks = api.acks("api:acks").join();

        assertThat(acks.path("channel").asText()).isEqualTo("api:acks");
        assertThat(acks.path("ackRequired").asBoolean()).isFalse();
        assertThat(acks.path("subscribers").isArray()).isTrue();
    }
}
