package dev.tandem.transport.sse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SSE against a client we did not write: the {@code eventsource} npm package on Node, through a proxy the script
 * cuts, must resume with {@code Last-Event-ID} and get exactly the missed publications (src/test/js/sse-resume.mjs).
 * Fails when node or npm are missing or fail: interop is part of the build, not optional.
 */
class SseEventSourceInteropTest {
    private static final Path JS = Path.of("src/test/js");

    @Test
    void eventsourceClientResumesWithLastEventIdAfterAForcedDropAndGetsEveryMissedPublicationOnce() throws Exception {
        run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
        try (TestServer server = TestServer.start(Map.of("transports.sseRetry", "300ms"))) {
            String output = run(List.of("node", "sse-resume.mjs", "http://127.0.0.1:" + server.port()), 90);
            assertThat(output).contains("OK 31 publications exactly once");
        }
    }

    private static String run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("tandem-interop", ".log");
        try {
            Process process = new ProcessBuilder(command).directory(JS.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            boolean finished = process.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!finished) {
                process.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(finished).as("%s finished within %d s; output:%n%s", command, timeoutSeconds, output).isTrue();
            assertThat(process.exitValue()).as("%s exit code; output:%n%s", command, output).isZero();
            return output;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
