package dev.tandem.transport.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestServer;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StompShutdownTest {
    @Test
    void aDrainingServerTellsStompClientsWhyInAnErrorAndClosesWith1012() {
        TestServer server = TestServer.start(Map.of("shutdown.timeout", "5s"));
        try (RawStompClient client = RawStompClient.connected(server, "drained")) {
            client.frame("SUBSCRIBE", "", "id", "s", "destination", "/topic/drain.me", "receipt", "r");
            client.receipt("r");
            server.close();
            StompFrame error = client.expect("ERROR");
            assertThat(error.header("message")).isEqualTo("server shutting down");
            assertThat(client.closed()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo(1012);
        } finally {
            server.close();
        }
    }
}
