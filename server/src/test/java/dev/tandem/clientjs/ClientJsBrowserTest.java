package dev.tandem.clientjs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.ClientJsProject;
import dev.tandem.testing.TestServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Drives the demo app (chat and task board) in a real headless Chromium (Debian's {@code chromium} through
 * playwright-core) against a real server: {@code client-js/e2e/*.test.js}, including the fallback to SSE with
 * WebSocket blocked and tab sharing with and without SharedWorker. Screenshots land in {@code client-js/target/e2e}. CI
 * installs the browser ({@code .ci/run}); set {@code CHROMIUM_PATH} to use another binary.
 */
class ClientJsBrowserTest {
    private static final String CHROMIUM = System.getenv().getOrDefault("CHROMIUM_PATH", "/usr/bin/chromium");

    @BeforeAll
    static void installDevDependencies() {
        assertThat(Path.of(CHROMIUM)).as("Chromium for the browser tests (apt-get install -y chromium)").satisfies(
                path -> assertThat(Files.isExecutable(path)).isTrue());
        ClientJsProject.install();
    }

    @Test
    void demoAppWorksEndToEndInTwoBrowserContextsIncludingOfflineCatchUpAndFallbacks() {
        try (TestServer server = TestServer.start(Map.of("namespaces.tiny.historySize", "3",
                "namespaces.crowd.presence.syncLimit", "2", "namespaces.crowd.presence.statsResume", "0.5"))) {
            List<String> command = new ArrayList<>(List.of("node", "--test", "--test-concurrency=1", "--test-timeout=120000"));
            command.addAll(ClientJsProject.testFiles("e2e"));
            ClientJsProject.Run run = ClientJsProject.run(
                    Map.of("TANDEM_URL", "http://127.0.0.1:" + server.port(), "CHROMIUM_PATH", CHROMIUM),
                    Duration.ofMinutes(8), command);

            assertThat(run.exitCode()).as("node --test e2e exit code; %s", run.failureReport(80)).isZero();
            // The server has every feature the suite exercises, so nothing may skip itself (entity tests skip on a server
            // without entity.* commands; here that would hide a regression).
            assertThat(run.output()).contains("# fail 0", "# skipped 0").anyMatch(line -> line.matches("# pass [1-9][0-9]*"));
            assertThat(ClientJsProject.DIR.resolve("target/e2e/bob-back.png")).exists();
        }
    }
}
