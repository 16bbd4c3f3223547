package dev.tandem.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.tandem.config.ConfigException;
import dev.tandem.config.ConfigLoader;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class TracingTest {

    @Test
    void publishSpansAreExportedOverOtlpHttpWhenAnEndpointIsSet() throws Exception {
        // An OTLP/HTTP receiver: it records what the real exporter posts to /v1/traces.
        List<String> posted = new CopyOnWriteArrayList<>();
        HttpServer collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        collector.createContext("/v1/traces", exchange -> {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            exchange.getRequestBody().transferTo(body);
            posted.add(exchange.getRequestHeaders().getFirst("Content-Type") + " "
                    + body.toString(StandardCharsets.ISO_8859_1));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        collector.start();
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
