package dev.tandem.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestServer;
import org.junit.jupiter.api.Test;

/**
 * How many event loops serve connections by default; {@link IoEngineTest} runs a fanout across three of them on
 * every engine.
 */
class EventLoopsTest {

    @Test
    void connectionsAreServedByOneEventLoopPerProcessorByDefault() {
        try (TestServer server = TestServer.start()) {
            assertThat(server.server().eventLoops()).isEqualTo(Runtime.getRuntime().availableProcessors());
        }
    }
}
