package dev.tandem.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.tandem.config.ConfigException;
import dev.tandem.config.ConfigLoader;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class TracingTest {

    @Test
    void publishSpansAreExportedOverOtlpHttpWhenAnEndpointIsSet() throws Exception {
        List<String> posted = new CopyOnWriteArrayList<>();
        HttpServer collector = receiver(body -> posted.add(body.contentType() + " "
                + new String(body.bytes(), StandardCharsets.ISO_8859_1)));
        String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces";
        try (TestServer server = TestServer.start(Map.of("tracing.otlp.endpoint", endpoint,
                "tracing.serviceName", "tandem-under-test"));
             WsClient alice = server.connect("alice")) {
            alice.subscribe("room:traced");
            alice.publish("room:traced", WsClient.JSON.createObjectNode().put("x", 1));

            await().atMost(Duration.ofSeconds(20)).until(() -> posted.stream().anyMatch(p -> p.contains("tandem.publish")));
        } finally {
            collector.stop(0);
        }
        String export = posted.stream().filter(p -> p.contains("tandem.publish")).findFirst().orElseThrow();
        assertThat(export).startsWith("application/x-protobuf");
        assertThat(export).contains("room:traced").contains("tandem.fanout").contains("tandem-under-test");
    }

    @Test
    void aDurablePublishHasStoreAndFanoutChildSpansAndAnEntityWriteHasItsOwnSpan() throws Exception {
        List<byte[]> posted = new CopyOnWriteArrayList<>();
        HttpServer collector = receiver(body -> posted.add(body.bytes()));
        String endpoint = "http://127.0.0.1:" + collector.getAddress().getPort() + "/v1/traces";
        try (TestServer server = TestServer.start(Map.of("tracing.otlp.endpoint", endpoint,
                "namespaces.ledger.history", "durable"));
             WsClient alice = server.connect("alice")) {
            alice.subscribe("ledger:traced");
            alice.publish("ledger:traced", WsClient.JSON.createObjectNode().put("x", 1));
            assertThat(server.post("/api/collections/traced", "{\"id\":\"r1\",\"data\":{\"a\":1}}",
                    "Content-Type", "application/json").statusCode()).isEqualTo(201);

            await().atMost(Duration.ofSeconds(20)).until(() -> {
                List<String> names = OtlpSpans.decode(posted).stream().map(OtlpSpans.Span::name).toList();
                return names.contains("tandem.entity.write") && names.contains("tandem.store.append");
            });
        } finally {
            collector.stop(0);
        }
        List<OtlpSpans.Span> spans = OtlpSpans.decode(posted);
        OtlpSpans.Span publish = one(spans, "tandem.publish");
        assertThat(childrenOf(spans, publish)).containsExactlyInAnyOrder("tandem.store.append", "tandem.fanout");
        OtlpSpans.Span entity = one(spans, "tandem.entity.write");
        assertThat(childrenOf(spans, entity)).containsExactlyInAnyOrder("tandem.store.write", "tandem.fanout");
    }

    private static OtlpSpans.Span one(List<OtlpSpans.Span> spans, String name) {
        List<OtlpSpans.Span> named = spans.stream().filter(s -> s.name().equals(name)).toList();
        assertThat(named).as(name).hasSize(1);
        return named.get(0);
    }

    private static List<String> childrenOf(List<OtlpSpans.Span> spans, OtlpSpans.Span parent) {
        return spans.stream().filter(s -> s.traceId().equals(parent.traceId()) && s.parentId().equals(parent.spanId()))
                .map(OtlpSpans.Span::name).toList();
    }

    /** One body the exporter posted. */
    private record Posted(String contentType, byte[] bytes) {
    }

    /** An OTLP/HTTP receiver: it hands what the real exporter posts to /v1/traces to {@code sink}. */
    private static HttpServer receiver(Consumer<Posted> sink) throws Exception {
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            sink.accept(new Posted(exchange.getRequestHeaders().getFirst("Content-Type"),
                    exchange.getRequestBody().readAllBytes()));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
        return collector;
    }

    @Test
    void withoutAnEndpointTracingIsOff() {
        Tracing tracing = Tracing.start(ConfigLoader.defaults().load().tracing());

        assertThat(tracing.enabled()).isFalse();
        assertThat(tracing.tracer().spanBuilder("x").startSpan().getSpanContext().isValid()).isFalse();
        tracing.close();
    }

    @Test
    void aSampleRatioOutsideZeroToOneIsRejectedNamingTheKey() {
        assertThatThrownBy(() -> ConfigLoader.defaults().set("tracing.sampleRatio", "1.5").load())
                .isInstanceOf(ConfigException.class).hasMessageContaining("tracing.sampleRatio");
    }
}
