package dev.tandem.ops;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class HealthAndMetricsTest {

    @Test
    void liveAndReadyAnswerUpWhileServing() {
        try (TestServer server = TestServer.start()) {
            assertThat(server.get("/health/live").statusCode()).isEqualTo(200);
            HttpResponse<String> ready = server.get("/health/ready");
            assertThat(ready.statusCode()).isEqualTo(200);
            assertThat(ready.body()).contains("ready");
        }
    }

    @Test
    void metricsExposeTandemMetersInPrometheusFormat() {
        try (TestServer server = TestServer.start(); WsClient a = server.connect("a"); WsClient b = server.connect("b")) {
            b.subscribe("room:metrics");
            a.publish("room:metrics", WsClient.JSON.createObjectNode().put("x", 1));
            b.nextOfType("publication");
            String metrics = server.get("/metrics").body();
            assertThat(metrics).contains("tandem_connections{transport=\"ws\"} 2.0");
            assertThat(metrics).contains("tandem_subscriptions{transport=\"ws\"} 1.0");
            assertThat(metrics).contains("tandem_publications_total{namespace=\"default\"} 1.0");
            assertThat(metrics).contains("tandem_deliveries_total 1.0");
            assertThat(metrics).contains("tandem_frames_in_total");
            assertThat(metrics).contains("tandem_frames_out_total");
            assertThat(metrics).contains("tandem_slow_consumer_disconnects_total 0.0");
        }
    }
}
