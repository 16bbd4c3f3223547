package dev.tandem.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.ServerProcess;
import dev.tandem.testing.WsClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GracefulShutdownTest {
    @TempDir
    Path dataDir;

    @Test
    void sigtermDisconnectsEveryClientWith1012AndReconnectThenExitsWithinTenSeconds() throws Exception {
        try (ServerProcess server = ServerProcess.start(dataDir)) {
            List<WsClient> clients = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                WsClient client = WsClient.connect(server.ws("user=u" + i));
                client.subscribe("room:drain");
                clients.add(client);
            }
            long start = System.nanoTime();
            server.terminate();
            for (WsClient client : clients) {
                JsonNode disconnect = client.nextOfType("disconnect");
                assertThat(disconnect.path("payload").path("code").asInt()).isEqualTo(1012);
                assertThat(disconnect.path("payload").path("reconnect").asBoolean()).isTrue();
                assertThat(client.closed().get(10, TimeUnit.SECONDS)).isEqualTo(1012);
            }
            assertThat(server.process().waitFor(10, TimeUnit.SECONDS)).as("exited").isTrue();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(10);
            assertThat(server.output()).anyMatch(line -> line.contains("draining: 3 connections"));
            assertThat(server.output()).anyMatch(line -> line.contains("disconnect") && line.contains("code=1012"));
            assertThat(server.output()).noneMatch(line -> line.contains("Exception"));
        }
    }
}
