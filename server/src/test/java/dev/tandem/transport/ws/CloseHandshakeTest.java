package dev.tandem.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.RawWebSocket;
import dev.tandem.testing.TestServer;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The close handshake a client starts, seen on the wire (the server answers close frames itself on /ws). */
class CloseHandshakeTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @Test
    void aClientsCloseFrameIsAnsweredWithItsStatusCodeAndTheConnectionEnds() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server, "/ws?user=closer")) {
            ws.send(true, RawWebSocket.CLOSE, new byte[] {0x0F, (byte) 0xA0}); // status 4000
            assertThat(ws.closeStatus()).as("echoed status").isEqualTo(4000);
            assertThat(ws.ended()).as("end of stream after the close").isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().sessions().size() == 0);
        }
    }

    @Test
    void aCloseFrameWithoutStatusIsAnsweredWithAnEmptyOne() throws Exception {
        try (RawWebSocket ws = RawWebSocket.open(server, "/ws?user=quiet")) {
            ws.send(true, RawWebSocket.CLOSE, new byte[0]);
            assertThat(ws.next(RawWebSocket.CLOSE).payload()).as("payload").isEmpty();
            assertThat(ws.ended()).isTrue();
        }
    }
}
