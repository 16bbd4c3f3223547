package dev.tandem.transport.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Runs {@code src/test/js/stomp/interop.mjs}: the real {@code @stomp/stompjs} client on Node, against a real
 * server. The Node project is installed once ({@code npm ci}, from its lock file); the test fails when Node or
 * any of its checks fails. The server pings every 2 s so that the 30 s idle check exercises a dozen
 * heart-beats each way.
 */
class StompJsInteropTest {
    private static final Path PROJECT = Path.of("src/test/js/stomp");
    static TestServer server;

    @BeforeAll
    static void start() throws Exception {
        if (!Files.exists(PROJECT.resolve("node_modules/@stomp/stompjs/package.json"))) {
            Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund"), 300);
            assertThat(install.exitCode()).as("npm ci failed:\n%s", install.output()).isZero();
        }
        // Users send to each other's /user/NAME/queue/… inboxes here: open user:* to authenticated publishers.
        server = TestServer.start(Map.of("connection.pingInterval", "2s", "namespaces.user.access.publish", "authenticated"));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void stompjsConnectsSubscribesSendsAcksAndStaysAliveOnHeartBeatsAgainstTandem() throws Exception {
        Result node = run(List.of("node", "interop.mjs", "http://127.0.0.1:" + server.port(), "30"), 180);
        assertThat(node.exitCode()).as("node interop.mjs failed:\n%s", node.output()).isZero();
        assertThat(node.output()).contains(
                "ok publishesArriveInOrderWithReceipts",
                "ok nackedMessagesAreRedeliveredUntilAcked",
                "ok userQueueReachesEveryConnectionOfThatUserOnly",
                "ok stompAndNativeClientsExchangeBothWaysInTheSameOrder",
                "ok appChatSendIsIdempotentAndReceiptedAfterCommit",
                "ok appPresenceJoinAnswersOnTheReplyQueueAndOthersSeeIt",
                "ok aMalformedFrameGetsErrorThenClose",
                "ok heartBeatsKeepAnIdleConnectionAlive");
    }

    private record Result(int exitCode, String output) {
    }

    private static Result run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("stompjs", ".log");
        try {
            Process process = new ProcessBuilder(command).directory(PROJECT.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return new Result(-1, "timed out after " + timeoutSeconds + " s\n" + Files.readString(log));
            }
            return new Result(process.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
