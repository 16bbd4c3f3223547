package dev.tandem.clientjs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.ClientJsProject;
import dev.tandem.testing.TestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs the JavaScript SDK's own test suite ({@code node --test client-js/test}) against a real server started
 * here, so {@code mvn verify} proves the SDK's reconnect, recovery, gap filling, duplicate dropping and offline
 * queue on the wire. The node tests inject their faults on the client's side of real sockets.
 */
class ClientJsTest {
    @BeforeAll
    static void installDevDependencies() {
        ClientJsProject.install();
    }

    @Test
    void javaScriptClientSuitePassesAgainstARealServer() {
        // The load-shedding tests need a node that is full after one connection and one subscription.
        try (TestServer server = TestServer.start(Map.of("namespaces.tiny.historySize", "3",
                "namespaces.crowd.presence.syncLimit", "2", "namespaces.crowd.presence.statsResume", "0.5"));
             TestServer capped = TestServer.start(Map.of("limits.maxConnections", "1", "limits.maxSubscriptions", "1"))) {
            List<String> command = new ArrayList<>(List.of("node", "--test", "--test-concurrency=1", "--test-timeout=60000"));
            command.addAll(ClientJsProject.testFiles("test"));
            ClientJsProject.Run run = ClientJsProject.run(Map.of("TANDEM_URL", "http://127.0.0.1:" + server.port(),
                    "TANDEM_CAPPED_URL", "http://127.0.0.1:" + capped.port()), Duration.ofMinutes(6), command);

            assertThat(run.exitCode()).as("node --test exit code; %s", run.failureReport(60)).isZero();
            // The server has every feature the suite exercises, so nothing may skip itself (entity tests skip on a server
            // without entity.* commands; here that would hide a regression).
            assertThat(run.output()).contains("# fail 0", "# skipped 0").anyMatch(line -> line.matches("# pass [1-9][0-9]*"));
        }
    }
}
