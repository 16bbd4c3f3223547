package dev.tandem.transport.yjs;

import dev.tandem.testing.NodeScript;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestStore;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Clients we did not write against a real Tandem: {@code server/src/test/js/yjs/interop.mjs} drives the real
 * {@code yjs} and {@code y-websocket} packages (with {@code ws} as WebSocket and no BroadcastChannel), and each
 * test fails when its Node scenario fails.
 */
class YjsInteropTest {
    private static final NodeScript INTEROP = NodeScript.of("yjs", "interop.mjs");
    private static TestServer server;

    @BeforeAll
    static void start() {
        INTEROP.install();
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void threeEditorsWithConcurrentRandomEditsConvergeAndALateJoinerReceivesTheWholeDocument() {
        INTEROP.run("converge", server.port(), "converge-room");
    }

    @Test
    void offlineEditsMergeOnReconnect() {
        INTEROP.run("offline", server.port(), "offline-room");
    }

    @Test
    void awarenessOfAClosedClientDisappearsForTheOthers() {
        INTEROP.run("awareness", server.port(), "awareness-room");
    }

    @Test
    void editorsAppearAsPresenceMembersOfTheDocChannelForNativeClients() {
        INTEROP.run("presence", server.port(), "presence-room");
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestStore.class)
    void aServerRestartOnTheSameStoreKeepsTheContent(TestStore kind) {
        Map<String, String> config = kind.fresh();
        try (TestServer first = TestServer.start(config)) {
            INTEROP.run("write", first.port(), "restart-room", "kept across restarts ✓");
        }
        try (TestServer second = TestServer.start(config)) {
            INTEROP.run("read", second.port(), "restart-room", "kept across restarts ✓");
        }
    }

    @Test
    void anUnauthorisedClientIsRefusedWith4401AndDoesNotReconnect() {
        // Production mode with a JWT key: a client without a token is not let in.
        try (TestServer closed = TestServer.start(Map.of("dev", "false",
                "auth.jwt.secret", "a-production-secret-of-at-least-32-bytes"))) {
            INTEROP.run("refused", closed.port(), "secret-room", "4401");
        }
    }
}
