package dev.tandem.transport;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TransportClient;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One scenario, run on every transport: connect, subscribe, receive 100 publications, lose the connection, miss
 * 50, reconnect, recover all of them in order exactly once, then the ordinary commands still work. The
 * scenario is a list of named {@link Step}s over a shared {@link Run}, so services merged later (presence, chat)
 * add their steps to {@link #steps()} and are proven on every transport at once.
 */
class TransportMatrixTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        // Short poll-session expiry so "lose the connection" really ends a polling session within the test.
        server = TestServer.start(Map.of("transports.pollSessionTimeout", "3s"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static List<String> transports() {
        return TransportClient.TRANSPORTS;
    }

    /** The state one scenario run carries from step to step. */
    static final class Run {
        final String transport;
        final String channel;
        final List<Long> seqs = new ArrayList<>();
        TransportClient client;

        Run(String transport) {
            this.transport = transport;
            this.channel = "matrix:" + transport + "-" + System.nanoTime();
        }

        /** Waits for publications on the run's channel until {@code count} more arrived, recording their seqs. */
        void receive(int count) {
            for (int i = 0; i < count; i++) {
                JsonNode publication = client.next(f -> "publication".equals(f.path("type").asText())
                        && channel.equals(f.path("channel").asText()), "publication " + (seqs.size() + 1));
                seqs.add(publication.path("seq").asLong());
            }
        }
    }

    /** A named part of the scenario. */
    record Step(String name, Consumer<Run> action) {
    }

    static List<Step> steps() {
        return List.of(
                new Step("connect", run -> {
                    run.client = TransportClient.open(run.transport, server, "matrix-" + run.transport);
                    assertThat(run.client.connected().path("payload").path("userId").asText())
                            .isEqualTo("matrix-" + run.transport);
                }),
                new Step("subscribe", run -> {
                    JsonNode subscribed = run.client.request(command("subscribe").put("channel", run.channel));
                    assertThat(subscribed.path("type").asText()).isEqualTo("subscribed");
                    assertThat(subscribed.path("payload").path("seq").asLong()).isZero();
                }),
                new Step("receive 100 publications", run -> {
                    publishFromBackend(run.channel, 100);
                    run.receive(100);
                    assertThat(run.seqs).containsExactlyElementsOf(seqs(1, 100));
                }),
                new Step("lose the connection, miss 50, reconnect and recover them in order exactly once", run -> {
                    run.client.drop();
                    publishFromBackend(run.channel, 50);
                    run.client = run.client.reconnect();
                    JsonNode resubscribed = run.client.next(f -> "subscribed".equals(f.path("type").asText())
                            && run.channel.equals(f.path("channel").asText()), "subscribed after reconnect");
                    assertThat(resubscribed.path("payload").path("recovered").asBoolean()).isTrue();
                    assertThat(resubscribed.path("payload").path("seq").asLong()).isEqualTo(150);
                    run.receive(50);
                    assertThat(run.seqs).containsExactlyElementsOf(seqs(1, 150));
                }),
                new Step("publish", run -> {
                    ObjectNode publish = command("publish").put("channel", run.channel);
                    publish.putObject("payload").put("from", run.transport);
                    JsonNode ack = run.client.request(publish);
                    assertThat(ack.path("type").asText()).isEqualTo("ack");
                    assertThat(ack.path("payload").path("seq").asLong()).isEqualTo(151);
                    run.receive(1);
                    assertThat(run.seqs).containsExactlyElementsOf(seqs(1, 151));
                }),
                new Step("history", run -> {
                    JsonNode history = run.client.request(command("history").put("channel", run.channel)
                            .put("after", 145));
                    assertThat(history.path("payload").path("publications")).extracting(p -> p.path("seq").asLong())
                            .containsExactlyElementsOf(seqs(146, 151));
                }),
                new Step("ping", run -> assertThat(run.client.request(command("ping")).path("type").asText())
                        .isEqualTo("pong")),
                new Step("no duplicate arrives afterwards", run -> {
                    JsonNode extra = run.client.poll(Duration.ofMillis(300));
                    while (extra != null) {
                        assertThat(extra.path("type").asText()).as("late frame %s", extra).isNotEqualTo("publication");
                        extra = run.client.poll(Duration.ofMillis(100));
                    }
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("transports")
    void everyFeatureWorksAndNothingIsLostAcrossAReconnect(String transport) {
        Run run = new Run(transport);
        try {
            for (Step step : steps()) {
                long started = System.nanoTime();
                try {
                    step.action().accept(run);
                    System.out.printf("matrix %s: %s took %d ms%n", transport, step.name(), (System.nanoTime() - started) / 1_000_000);
                } catch (AssertionError | RuntimeException e) {
                    throw new AssertionError(transport + ", step '" + step.name() + "': " + e.getMessage(), e);
                }
            }
        } finally {
            if (run.client != null) {
                run.client.close();
            }
        }
    }

    static void publishFromBackend(String channel, int count) {
        for (int i = 0; i < count; i++) {
            ObjectNode body = WsClient.JSON.createObjectNode().put("channel", channel);
            body.putObject("payload").put("n", i);
            assertThat(server.post("/api/publish", body.toString()).statusCode()).isEqualTo(200);
        }
    }

    static List<Long> seqs(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }
}
