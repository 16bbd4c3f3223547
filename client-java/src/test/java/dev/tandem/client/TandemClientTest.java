package dev.tandem.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.CloseCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class TandemClientTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Backoff FAST = new Backoff(Duration.ofMillis(50), Duration.ofMillis(200));

    private RealServer server;
    private final List<TandemClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        server = RealServer.start(Map.of("namespaces.tiny.historySize", "2"));
    }

    @AfterEach
    void stop() {
        clients.forEach(TandemClient::close);
        server.close();
    }

    private TandemClient client(String user) {
        return client(TandemClient.builder(server.ws()).devUser(user).backoff(FAST));
    }

    private TandemClient client(TandemClient.Builder builder) {
        TandemClient client = builder.build();
        clients.add(client);
        client.connect().orTimeout(20, TimeUnit.SECONDS).join();
        return client;
    }

    private static ObjectNode body(long n) {
        return Frames.JSON.createObjectNode().put("n", n);
    }

    private static List<Long> seqs(Recorder recorder) {
        return recorder.publications.stream().map(Publication::seq).toList();
    }

    private static List<Long> range(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }

    @Test
    void publishedMessagesReachASubscriberInOrderWithTheSeqTheServerAssigned() {
        TandemClient alice = client("alice");
        TandemClient bob = client("bob");
        Recorder recorder = new Recorder();
        bob.subscribe("room:one", recorder).subscribed().join();

        List<Long> acked = new ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            acked.add(alice.publish("room:one", body(i)).join());
        }

        assertThat(acked).isEqualTo(range(1, 20));
        await().atMost(WAIT).until(() -> recorder.publications.size() == 20);
        assertThat(seqs(recorder)).isEqualTo(range(1, 20));
        assertThat(recorder.publications.get(4).payload().path("n").asLong()).isEqualTo(5);
        assertThat(recorder.publications.get(0).userId()).isEqualTo("alice");
        assertThat(bob.userId()).isEqualTo("bob");
    }

    @Test
    void afterTheServerDropsTheConnectionTheClientReconnectsAndRecoversMissedPublicationsExactlyOnce() {
        List<ConnectionStatus> statuses = new CopyOnWriteArrayList<>();
        AtomicBoolean publishedWhileAway = new AtomicBoolean();
        TandemClient alice = client("alice");
        alice.onStatus((status, reason) -> {
            statuses.add(status);
            // Runs while the client is provably disconnected: these publications can only arrive by recovery.
            if (status == ConnectionStatus.RECONNECTING && publishedWhileAway.compareAndSet(false, true)) {
                for (int i = 4; i <= 10; i++) {
                    server.server.hub().publish("room:resume", body(i), null);
                }
            }
        });
        Recorder recorder = new Recorder();
        alice.subscribe("room:resume", recorder).subscribed().join();
        for (int i = 1; i <= 3; i++) {
            alice.publish("room:resume", body(i)).join();
        }
        await().atMost(WAIT).until(() -> recorder.publications.size() == 3);

        assertThat(server.server.sessions().disconnectUser("alice", CloseCode.POLICY, "test drop")).isEqualTo(1);

        await().atMost(WAIT).until(() -> recorder.publications.size() >= 10);
        await().atMost(WAIT).until(() -> alice.status() == ConnectionStatus.CONNECTED);
        alice.publish("room:resume", body(11)).join();
        await().atMost(WAIT).until(() -> recorder.publications.size() >= 11);

        assertThat(publishedWhileAway).isTrue();
        assertThat(seqs(recorder)).isEqualTo(range(1, 11));
        assertThat(statuses).containsSubsequence(ConnectionStatus.RECONNECTING, ConnectionStatus.CONNECTING,
                ConnectionStatus.CONNECTED);
        assertThat(recorder.subscribed).hasSize(2);
        SubscribedEvent resumed = recorder.subscribed.get(1);
        assertThat(resumed.resumed()).isTrue();
        assertThat(resumed.recovered()).isTrue();
        assertThat(resumed.stateLost()).isFalse();
    }

    @Test
    void aDisconnectThatForbidsReconnectingClosesTheClientForGood() {
        TandemClient alice = client("alice");
        List<String> reasons = new CopyOnWriteArrayList<>();
        alice.onStatus((status, reason) -> reasons.add(status + " " + reason));

        server.server.sessions().disconnectUser("alice", CloseCode.FORBIDDEN, "banned for the test");

        await().atMost(WAIT).until(() -> alice.status() == ConnectionStatus.CLOSED);
        assertThat(reasons).anySatisfy(r -> assertThat(r).contains("CLOSED").contains("banned for the test"));
        assertThatThrownBy(() -> alice.publish("room:x", body(1)).join())
                .hasCauseInstanceOf(TandemException.class).hasMessageContaining("closed");
        assertThat(server.server.sessions().size()).isZero();
    }

    @Test
    void whenHistoryNoLongerCoversTheGapTheListenerIsToldRecoveredFalse() {
        AtomicBoolean publishedWhileAway = new AtomicBoolean();
        TandemClient alice = client("alice");
        alice.onStatus((status, reason) -> {
            if (status == ConnectionStatus.RECONNECTING && publishedWhileAway.compareAndSet(false, true)) {
                for (int i = 2; i <= 6; i++) {
                    server.server.hub().publish("tiny:room", body(i), null);
                }
            }
        });
        Recorder recorder = new Recorder();
        alice.subscribe("tiny:room", recorder).subscribed().join();
        alice.publish("tiny:room", body(1)).join();
        await().atMost(WAIT).until(() -> recorder.publications.size() == 1);

        server.server.sessions().disconnectUser("alice", CloseCode.POLICY, "test drop");

        await().atMost(WAIT).until(() -> recorder.subscribed.size() == 2);
        SubscribedEvent after = recorder.subscribed.get(1);
        assertThat(after.stateLost()).isTrue();
        assertThat(after.seq()).isEqualTo(6);
        alice.publish("tiny:room", body(7)).join();
        await().atMost(WAIT).until(() -> recorder.publications.size() == 2);
        assertThat(seqs(recorder)).containsExactly(1L, 7L);
    }

    @Test
    void aGapInTheLiveStreamIsFilledFromHistoryInOrder() {
        InboundTap loseThreeAndFour = frame -> {
            long seq = frame.path("seq").asLong(0);
            return "publication".equals(frame.path("type").asText()) && (seq == 3 || seq == 4) ? List.of() : List.of(frame);
        };
        TandemClient bob = client(TandemClient.builder(server.ws()).devUser("bob").tap(loseThreeAndFour));
        Recorder recorder = new Recorder();
        bob.subscribe("room:gap", recorder).subscribed().join();

        for (int i = 1; i <= 6; i++) {
            server.server.hub().publish("room:gap", body(i), null);
        }

        await().atMost(WAIT).until(() -> recorder.publications.size() >= 6);
        assertThat(seqs(recorder)).isEqualTo(range(1, 6));
        assertThat(recorder.publications.get(2).payload().path("n").asLong()).isEqualTo(3);
        assertThat(recorder.gaps).isEmpty();
    }

    @Test
    void aHoleThatHistoryCannotFillIsReportedOnceAndSkipped() {
        InboundTap loseTwo = frame -> frame.path("seq").asLong(0) == 2 && "publication".equals(frame.path("type").asText())
                ? List.of() : List.of(frame);
        TandemClient bob = client(TandemClient.builder(server.ws()).devUser("bob").tap(loseTwo));
        Recorder recorder = new Recorder();
        bob.subscribe("tiny:lossy", recorder).subscribed().join();

        // History keeps two publications on tiny:*, so by the time the client asks, 2 is gone.
        server.server.hub().publish("tiny:lossy", body(1), null);
        server.server.hub().publish("tiny:lossy", body(2), null);
        server.server.hub().publish("tiny:lossy", body(3), null);
        server.server.hub().publish("tiny:lossy", body(4), null);

        await().atMost(WAIT).until(() -> recorder.publications.size() >= 3);
        assertThat(seqs(recorder)).containsExactly(1L, 3L, 4L);
        assertThat(recorder.gaps).containsExactly("2..2");
    }

    @Test
    void duplicatedFramesAreDeliveredOnce() {
        InboundTap twice = frame -> frame.has("seq") ? List.of(frame, frame) : List.of(frame);
        TandemClient bob = client(TandemClient.builder(server.ws()).devUser("bob").tap(twice));
        Recorder recorder = new Recorder();
        Subscription subscription = bob.subscribe("room:dup", recorder);
        subscription.subscribed().join();

        for (int i = 1; i <= 5; i++) {
            server.server.hub().publish("room:dup", body(i), null);
        }

        await().atMost(WAIT).until(() -> subscription.duplicatesDropped() == 5);
        assertThat(seqs(recorder)).isEqualTo(range(1, 5));
    }

    @Test
    void historyIsReadPageByPage() {
        TandemClient alice = client("alice");
        for (int i = 1; i <= 250; i++) {
            server.server.hub().publish("room:pages", body(i), null);
        }

        HistoryPage newest = alice.history("room:pages", HistoryQuery.latest().limit(10)).join();
        List<Publication> all = alice.historyAfter("room:pages", 0).join();
        HistoryPage older = alice.history("room:pages", HistoryQuery.before(100).limit(5)).join();

        assertThat(newest.publications()).extracting(Publication::seq).isEqualTo(range(241, 250));
        assertThat(newest.more()).isTrue();
        assertThat(newest.seq()).isEqualTo(250);
        assertThat(all).extracting(Publication::seq).isEqualTo(range(1, 250));
        assertThat(older.publications()).extracting(Publication::seq).isEqualTo(range(95, 99));
    }

    @Test
    void serverRefusalsFailTheRequestWithTheServerCode() {
        server.close();
        server = RealServer.start(Map.of("namespaces.readonly.clientPublish", "false"));
        TandemClient alice = client("alice");
        Recorder recorder = new Recorder();

        Subscription bad = alice.subscribe("no spaces allowed", recorder);

        assertThatThrownBy(() -> bad.subscribed().join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(TandemException.class)
                .extracting(e -> ((TandemException) e).code()).isEqualTo("bad_request");
        await().atMost(WAIT).until(() -> recorder.errors.size() == 1);
        assertThat(bad.isActive()).isFalse();
        assertThatThrownBy(() -> alice.publish("readonly:news", body(1)).join())
                .cause().extracting(e -> ((TandemException) e).code()).isEqualTo("forbidden");
        JsonNode pong = alice.request(TandemClient.command("ping", null)).join();
        assertThat(pong.path("type").asText()).isEqualTo("pong");
    }

    @Test
    void aClientStartedBeforeTheServerIsUpKeepsRetryingAndThenConnects() {
        int port = server.server.port();
        server.close();
        TandemClient early = TandemClient.builder("ws://127.0.0.1:" + port + "/ws").devUser("early").backoff(FAST).build();
        clients.add(early);
        early.connect();
        await().atMost(WAIT).until(() -> early.status() == ConnectionStatus.RECONNECTING);

        server = RealServer.start(Map.of("port", String.valueOf(port)));

        await().atMost(WAIT).until(() -> early.status() == ConnectionStatus.CONNECTED);
        assertThat(early.userId()).isEqualTo("early");
    }

    @Test
    void subscriptionsAndRequestsMadeBeforeConnectingAreSentOnceConnected() {
        TandemClient early = TandemClient.builder(server.ws()).devUser("early-bird").build();
        clients.add(early);
        Recorder recorder = new Recorder();
        Subscription subscription = early.subscribe("room:early", recorder);
        CompletableFuture<Long> seq = early.publish("room:early", body(1));

        early.connect().orTimeout(20, TimeUnit.SECONDS).join();

        assertThat(seq.orTimeout(20, TimeUnit.SECONDS).join()).isEqualTo(1);
        assertThat(subscription.subscribed().join().seq()).isZero();
        await().atMost(WAIT).until(() -> recorder.publications.size() == 1);
    }

    @Test
    void theTokenSupplierIsAskedAgainForEveryConnectionAttempt() {
        AtomicInteger asked = new AtomicInteger();
        TandemClient alice = client(TandemClient.builder(server.ws()).devUser("token-user").backoff(FAST)
                .token(() -> CompletableFuture.completedFuture("token-" + asked.incrementAndGet())));
        assertThat(asked).hasValue(1);

        server.server.sessions().disconnectUser("token-user", CloseCode.POLICY, "test drop");

        await().atMost(WAIT).until(() -> asked.get() >= 2 && alice.status() == ConnectionStatus.CONNECTED);
    }

    /** Records what a subscription listener is told. */
    static final class Recorder implements SubscriptionListener {
        final List<Publication> publications = new CopyOnWriteArrayList<>();
        final List<SubscribedEvent> subscribed = new CopyOnWriteArrayList<>();
        final List<String> gaps = new CopyOnWriteArrayList<>();
        final List<TandemException> errors = new CopyOnWriteArrayList<>();

        @Override
        public void onPublication(Publication publication) {
            publications.add(publication);
        }

        @Override
        public void onSubscribed(SubscribedEvent event) {
            subscribed.add(event);
        }

        @Override
        public void onGap(long fromSeq, long toSeq) {
            gaps.add(fromSeq + ".." + toSeq);
        }

        @Override
        public void onError(TandemException error) {
            errors.add(error);
        }
    }
}
