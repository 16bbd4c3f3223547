package dev.tandem.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.CloseCode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The SDK under a loaded or refusing server: retry hints, backing off from a full node, acknowledged delivery. */
class ResilienceTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Backoff FAST = new Backoff(Duration.ofMillis(50), Duration.ofMillis(200));

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @Test
    void aNodeThatRefusesWith1013IsRetriedAfterItsHintNotInATightLoop() throws Exception {
        RealServer server = server(Map.of("limits.maxConnections", "1"));
        TandemClient alice = client(server, "alice");
        alice.connect().orTimeout(20, TimeUnit.SECONDS).join();
        TandemClient bob = client(server, "bob");
        bob.connect();
        await().atMost(WAIT).until(() -> server.server.metrics().refusedConnections().count() >= 1);
        Thread.sleep(TandemClient.TRY_AGAIN_LATER_FLOOR.toMillis());
        // FAST backoff alone would retry every 50-200 ms; the 1013 floor keeps bob away for 2-4 s each time.
        assertThat(server.server.metrics().refusedConnections().count()).isLessThanOrEqualTo(2);

        alice.close();
        await().atMost(WAIT).until(() -> bob.status() == ConnectionStatus.CONNECTED);
    }

    @Test
    void aRefusalCarriesTheServersRetryHint() {
        RealServer server = server(Map.of("limits.nodePublishRate", "1", "limits.nodePublishBurst", "1"));
        TandemClient alice = client(server, "alice");
        alice.connect().orTimeout(20, TimeUnit.SECONDS).join();
        alice.publish("room:a", body(1)).join();
        CompletionException failure = catchThrowableOfType(() -> alice.publish("room:a", body(2)).join(),
                CompletionException.class);
        TandemException refused = (TandemException) failure.getCause();
        assertThat(refused.code()).isEqualTo("rate_limited");
        assertThat(refused.retryAfter()).isEqualTo(Duration.ofSeconds(1));

        ServerApiClient api = new ServerApiClient(server.http(), null);
        CompletionException viaHttp = catchThrowableOfType(() -> api.publish("room:a", body(3)).join(),
                CompletionException.class);
        assertThat(((TandemException) viaHttp.getCause()).httpStatus()).isEqualTo(429);
        assertThat(((TandemException) viaHttp.getCause()).retryAfter()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void unconfirmedPublicationsReachTheListenerAgainAfterAReconnectAndConfirmedOnesDoNot() {
        RealServer server = server(Map.of("namespaces.orders.ack", "required"));
        TandemClient alice = client(server, "alice");
        alice.connect().orTimeout(20, TimeUnit.SECONDS).join();
        TandemClientTest.Recorder recorder = new TandemClientTest.Recorder();
        SubscribedEvent first = alice.subscribe("orders:1", recorder).subscribed().join();
        for (int i = 1; i <= 4; i++) {
            server.server.hub().publish("orders:1", body(i), null);
        }
        await().atMost(WAIT).until(() -> recorder.publications.size() == 4);
        alice.confirm("orders:1", 2);
        await().atMost(WAIT).until(() -> server.server.hub().ackLag("orders:1").get(0).acked() == 2);

        assertThat(server.server.sessions().disconnectUser("alice", CloseCode.POLICY, "test drop")).isEqualTo(1);
        await().atMost(WAIT).until(() -> recorder.publications.size() == 6);
        assertThat(recorder.publications.stream().map(Publication::seq).toList())
                .containsExactly(1L, 2L, 3L, 4L, 3L, 4L);
        assertThat(recorder.subscribed.get(1).recovered()).isTrue();
        assertThat(first.seq()).isZero();
    }

    private RealServer server(Map<String, String> overrides) {
        RealServer server = RealServer.start(overrides);
        open.add(server);
        return server;
    }

    private TandemClient client(RealServer server, String user) {
        TandemClient client = TandemClient.builder(server.ws()).devUser(user).backoff(FAST).build();
        open.add(client);
        return client;
    }

    private static ObjectNode body(long n) {
        return Frames.JSON.createObjectNode().put("n", n);
    }
}
