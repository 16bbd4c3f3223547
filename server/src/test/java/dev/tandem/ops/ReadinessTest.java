package dev.tandem.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReadinessTest {

    @Test
    void aServingNodeIsReadyAndListsItsChecks() throws Exception {
        try (TestServer server = TestServer.start()) {
            HttpResponse<String> response = server.get("/health/ready");
            JsonNode body = WsClient.JSON.readTree(response.body());

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(body.path("status").asText()).isEqualTo("ready");
            assertThat(body.has("down")).isFalse();
            assertThat(body.path("checks").get(0).path("name").asText()).isEqualTo("server");
            assertThat(body.path("checks").get(0).path("status").asText()).isEqualTo("up");
        }
    }

    @Test
    void aDownDependencyMakesTheNodeUnavailableAndIsNamedUntilItRecovers() throws Exception {
        AtomicReference<HealthCheck.Result> redis = new AtomicReference<>(HealthCheck.Result.down("connection refused"));
        try (TestServer server = TestServer.start()) {
            server.server().readiness().register(new HealthCheck() {
                @Override
                public String name() {
                    return "redis";
                }

                @Override
                public Result check() {
                    return redis.get();
                }
            });

            HttpResponse<String> down = server.get("/health/ready");
            JsonNode body = WsClient.JSON.readTree(down.body());
            assertThat(down.statusCode()).isEqualTo(503);
            assertThat(body.path("status").asText()).isEqualTo("unavailable");
            assertThat(body.path("down")).hasSize(1);
            assertThat(body.path("down").get(0).asText()).isEqualTo("redis");
            assertThat(body.path("checks").get(2).path("detail").asText()).isEqualTo("connection refused");
            assertThat(server.get("/health/live").statusCode()).isEqualTo(200);

            redis.set(HealthCheck.Result.healthy());
            assertThat(server.get("/health/ready").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aCheckThatThrowsCountsAsDownInsteadOfFailingTheProbe() throws Exception {
        try (TestServer server = TestServer.start()) {
            server.server().readiness().register(new HealthCheck() {
                @Override
                public String name() {
                    return "redis";
                }

                @Override
                public Result check() {
                    throw new IllegalStateException("not connected");
                }
            });

            HttpResponse<String> response = server.get("/health/ready");
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(WsClient.JSON.readTree(response.body()).path("down").get(0).asText()).isEqualTo("redis");
            assertThat(response.body()).contains("not connected");
        }
    }
}
