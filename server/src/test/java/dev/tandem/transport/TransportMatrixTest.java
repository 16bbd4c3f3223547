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
 * 50, reconnect, recover all of them in order exactly once, then the ordinary commands still work: publish,
 * history, ping, presence (join seen both ways, heartbeat, leave) and chat (send, an idempotent retry that stores
 * nothing twice, edit, delete, read receipt, typing). The scenario is a list of named {@link Step}s over a shared
 * {@link Run}, so a new service adds its steps to {@link #steps()} and is proven on every transport at once.
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
        final String user;
        final String channel;
        final String chat;
        final List<Long> seqs = new ArrayList<>();
        TransportClient client;
        WsClient observer;

        Run(String transport) {
            this.transport = transport;
            this.user = "matrix-" + transport;
            this.channel = "matrix:" + transport + "-" + System.nanoTime();
            this.chat = "chat:matrix-" + transport + "-" + System.nanoTime();
        }

        /** The next frame of {@code type} on {@code channel} for this run's client. */
        JsonNode event(String type, String onChannel) {
            return client.next(f -> type.equals(f.path("type").asText()) && onChannel.equals(f.path("channel").asText()),
                    type + " on " + onChannel);
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
                    run.client = TransportClient.open(run.transport, server, run.user);
                    assertThat(run.client.connected().path("payload").path("userId").asText()).isEqualTo(run.user);
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
                new Step("presence: join, others see it both ways, heartbeat, leave", run -> {
                    run.observer = server.connect("matrix-observer-" + run.transport);
                    run.observer.connected();
                    run.observer.subscribe(run.channel);
                    run.observer.request(command("presence:join").put("channel", run.channel));
                    assertThat(run.event("presence:join", run.channel).path("payload").path("id").asText())
                            .isEqualTo("matrix-observer-" + run.transport);
                    ObjectNode join = command("presence:join").put("channel", run.channel);
                    join.putObject("payload").putObject("state").put("via", run.transport);
                    JsonNode sync = run.client.request(join);
                    assertThat(sync.path("type").asText()).isEqualTo("presence:sync");
                    assertThat(sync.path("payload").path("users")).extracting(u -> u.path("id").asText())
                            .containsExactlyInAnyOrder(run.user, "matrix-observer-" + run.transport);
                    JsonNode seen = run.observer.next(f -> "presence:join".equals(f.path("type").asText())
                            && run.user.equals(f.path("payload").path("id").asText()), "the run's join");
                    assertThat(seen.path("payload").path("state").path("via").asText()).isEqualTo(run.transport);
                    run.client.send(command("presence:heartbeat").put("channel", run.channel));
                    run.client.send(command("presence:leave").put("channel", run.channel));
                    run.observer.next(f -> "presence:leave".equals(f.path("type").asText())
                            && run.user.equals(f.path("payload").path("id").asText()), "the run's leave");
                    assertThat(run.client.request(command("ping")).path("type").asText())
                            .as("heartbeat and leave answered nothing but errors would").isEqualTo("pong");
                    run.observer.close();
                }),
                new Step("chat: send, an idempotent retry, edit, delete, read receipt", run -> {
                    assertThat(run.client.request(command("subscribe").put("channel", run.chat)).path("type").asText())
                            .isEqualTo("subscribed");
                    JsonNode sent = run.client.request(WsClient.messageSend(run.chat, "c-1", "hello over " + run.transport));
                    assertThat(sent.path("type").asText()).isEqualTo("ack");
                    assertThat(sent.path("payload").path("duplicate").asBoolean()).isFalse();
                    String id = sent.path("payload").path("id").asText();
                    long seq = sent.path("payload").path("seq").asLong();
                    JsonNode retried = run.client.request(WsClient.messageSend(run.chat, "c-1", "hello over " + run.transport));
                    assertThat(retried.path("payload").path("duplicate").asBoolean()).isTrue();
                    assertThat(retried.path("payload").path("id").asText()).isEqualTo(id);
                    assertThat(retried.path("payload").path("seq").asLong()).isEqualTo(seq);
                    JsonNode created = run.event("message.new", run.chat);
                    assertThat(created.path("payload").path("content").asText()).isEqualTo("hello over " + run.transport);
                    assertThat(run.client.request(WsClient.messageEdit(run.chat, id, "edited")).path("type").asText())
                            .isEqualTo("ack");
                    assertThat(run.event("message.edit", run.chat).path("payload").path("content").asText()).isEqualTo("edited");
                    assertThat(run.client.request(WsClient.messageDelete(run.chat, id)).path("type").asText())
                            .isEqualTo("ack");
                    assertThat(run.event("message.delete", run.chat).path("payload").path("id").asText()).isEqualTo(id);
                    ObjectNode receipt = command("receipt").put("channel", run.chat);
                    receipt.putObject("payload").put("kind", "read").put("upTo", seq);
                    run.client.send(receipt);
                    JsonNode announced = run.event("receipt", run.chat);
                    assertThat(announced.path("payload").path("userId").asText()).isEqualTo(run.user);
                    assertThat(announced.path("payload").path("upTo").asLong()).isEqualTo(seq);
                    JsonNode readers = parse(server.get("/api/channels/" + run.chat + "/receipts?seq=" + seq).body());
                    assertThat(readers.path("read").path("users")).extracting(u -> u.path("userId").asText()).containsExactly(run.user);
                }),
                new Step("typing: seen both ways", run -> {
                    run.observer = server.connect("matrix-typist-" + run.transport);
                    run.observer.connected();
                    run.observer.subscribe(run.chat);
                    run.client.send(command("typing").put("channel", run.chat));
                    run.observer.next(f -> "typing".equals(f.path("type").asText())
                            && run.user.equals(f.path("payload").path("userId").asText()), "the run's typing");
                    run.observer.send(command("typing").put("channel", run.chat));
                    assertThat(run.event("typing", run.chat).path("payload").path("userId").asText())
                            .isEqualTo("matrix-typist-" + run.transport);
                    run.observer.close();
                }),
                new Step("live records: create, event, stale update refused with the current record, update", run -> {
                    String records = "entity:matrix" + run.transport.replace("-", "");
                    String collection = records.substring("entity:".length());
                    assertThat(run.client.request(command("subscribe").put("channel", records)).path("type").asText())
                            .isEqualTo("subscribed");
                    ObjectNode create = command("entity.create");
                    create.putObject("payload").put("collection", collection).put("id", "r1")
                            .putObject("data").put("title", "over " + run.transport);
                    JsonNode created = run.client.request(create);
                    assertThat(created.path("type").asText()).isEqualTo("result");
                    assertThat(created.path("payload").path("version").asLong()).isEqualTo(1);
                    JsonNode event = run.event("publication", records).path("payload");
                    assertThat(event.path("type").asText()).isEqualTo("entity:created");
                    assertThat(event.path("record").path("data").path("title").asText()).isEqualTo("over " + run.transport);
                    ObjectNode update = command("entity.update");
                    update.putObject("payload").put("collection", collection).put("id", "r1").put("version", 1)
                            .putObject("data").put("title", "renamed");
                    assertThat(run.client.request(update).path("payload").path("version").asLong()).isEqualTo(2);
                    ObjectNode stale = update.deepCopy();
                    ((ObjectNode) stale.get("payload")).putObject("data").put("title", "lost update");
                    stale.put("requestId", "stale-" + run.transport);
                    JsonNode conflict = run.client.request(stale);
                    assertThat(conflict.path("payload").path("code").asText()).isEqualTo("conflict");
                    assertThat(conflict.path("payload").path("details").path("current").path("data").path("title").asText())
                            .isEqualTo("renamed");
                    assertThat(run.event("publication", records).path("payload").path("type").asText())
                            .isEqualTo("entity:updated");
                }),
                new Step("no duplicate arrives afterwards", run -> {
                    JsonNode extra = run.client.poll(Duration.ofMillis(300));
                    while (extra != null) {
                        assertThat(extra.path("type").asText()).as("late frame %s", extra)
                                .isNotIn("publication", "message.new", "presence:join");
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
            if (run.observer != null) {
                run.observer.close();
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

    static JsonNode parse(String json) {
        try {
            return WsClient.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    static List<Long> seqs(long from, long to) {
        return LongStream.rangeClosed(from, to).boxed().toList();
    }
}
