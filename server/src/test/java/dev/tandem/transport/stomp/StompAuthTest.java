package dev.tandem.transport.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestTokens;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** STOMP clients authenticate and are held to channel permissions like native ones. */
class StompAuthTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(TestTokens.production());
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawStompClient connect(String passcode) {
        RawStompClient client = RawStompClient.open(RawStompClient.uri(server, ""), "v12.stomp");
        client.send("CONNECT\naccept-version:1.2\nhost:localhost\nheart-beat:0,0\n"
                + (passcode == null ? "" : "passcode:" + passcode + "\n") + "\n\0");
        return client;
    }

    @Test
    void aTokenAsThePasscodeConnectsAsItsSubject() {
        try (RawStompClient client = connect(TestTokens.forUser("alice"))) {
            StompFrame connected = client.next();
            assertThat(connected.command()).isEqualTo("CONNECTED");
            assertThat(connected.header("user-name")).isEqualTo("alice");
        }
    }

    @Test
    void connectWithoutATokenOrWithAForgedOneGetsAnError() {
        try (RawStompClient anonymous = connect(null); RawStompClient forged = connect(TestTokens.none(TestTokens.claims("alice").build()))) {
            assertThat(anonymous.next().command()).isEqualTo("ERROR");
            assertThat(forged.next().command()).isEqualTo("ERROR");
        }
    }

    @Test
    void anExpiredTokenEndsTheConnectionWithAnErrorFrameAndNoNativeJsonBeforeIt() throws Exception {
        try (TestServer expiring = TestServer.start(TestTokens.production("auth.expiryGrace", "1s"));
             RawStompClient client = RawStompClient.open(RawStompClient.uri(expiring, ""), "v12.stomp")) {
            String token = TestTokens.forUser("short-lived", c -> c.expirationTime(
                    java.util.Date.from(java.time.Instant.now().plusSeconds(2))));
            client.send("CONNECT\naccept-version:1.2\nheart-beat:0,0\npasscode:" + token + "\n\n\0");
            assertThat(client.next().command()).isEqualTo("CONNECTED");
            // The native token-expiry warning has no STOMP form: the next frame is the ERROR of the close.
            StompFrame error = client.next();
            assertThat(error.command()).isEqualTo("ERROR");
            assertThat(error.header("message")).contains("token expired");
            assertThat(client.closed().get(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(4001);
        }
    }

    @Test
    void subscribingToAnotherUsersChannelIsForbidden() {
        try (RawStompClient client = connect(TestTokens.forUser("mallory"))) {
            assertThat(client.next().command()).isEqualTo("CONNECTED");
            client.send("SUBSCRIBE\nid:1\ndestination:/topic/user.bob\nreceipt:r1\n\n\0");
            StompFrame error = client.next();
            assertThat(error.command()).isEqualTo("ERROR");
            assertThat(error.header("message")).contains("not allowed");
        }
    }
}
