package dev.tandem.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How many event loops serve connections, and that a fanout crosses all of them. */
class EventLoopsTest {

    @Test
    void connectionsAreServedByOneEventLoopPerProcessorByDefault() {
        try (TestServer server = TestServer.start()) {
            assertThat(server.server().eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
        }
    }

    @Test
    void transportsIoThreadsSetsTheLoopsAndAPublicationReachesSubscribersOnEveryLoop() {
        try (TestServer server = TestServer.start(Map.of("transports.ioThreads", "3"))) {
            assertThat(server.server().eventLoops()).isEqualTo(3);
            // Loops take connections in turn, so six subscribers sit on all three loops, two each.
            List<WsClient> subscribers = new ArrayList<>();
            try {
                for (int i = 0; i < 6; i++) {
                    WsClient client = WsClient.connect(server.ws("user=s" + i));
                    client.connected();
                    client.subscribe("room:loops");
                    subscribers.add(client);
                }
                try (WsClient publisher = WsClient.connect(server.ws("user=p"))) {
                    publisher.connected();
                    publisher.publish("room:loops", WsClient.JSON.createObjectNode().put("n", 1));
                }
                for (WsClient subscriber : subscribers) {
                    assertThat(subscriber.nextOfType("publication").path("payload").path("n").asInt()).isEqualTo(1);
                }
            } finally {
                subscribers.forEach(WsClient::close);
            }
        }
    }
}
