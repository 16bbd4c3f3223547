package dev.tandem.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.TestServer;
import java.io.DataInputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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
        try (Socket raw = handshake("closer")) {
            DataInputStream in = new DataInputStream(raw.getInputStream());
            OutputStream out = raw.getOutputStream();
            // A masked close frame with status 4000 (mask 0: the payload goes out as is).
            out.write(new byte[] {(byte) 0x88, (byte) 0x82, 0, 0, 0, 0, 0x0F, (byte) 0xA0});
            out.flush();
            int[] close = nextFrameOf(in, 0x8);
            assertThat(close[1]).as("echoed status").isEqualTo(4000);
            assertThat(in.read()).as("end of stream after the close").isEqualTo(-1);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().sessions().size() == 0);
        }
    }

    @Test
    void aCloseFrameWithoutStatusIsAnsweredWithAnEmptyOne() throws Exception {
        try (Socket raw = handshake("quiet")) {
            DataInputStream in = new DataInputStream(raw.getInputStream());
            raw.getOutputStream().write(new byte[] {(byte) 0x88, (byte) 0x80, 0, 0, 0, 0});
            raw.getOutputStream().flush();
            int[] close = nextFrameOf(in, 0x8);
            assertThat(close[0]).as("payload length").isZero();
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    private static Socket handshake(String user) throws Exception {
        Socket raw = new Socket("127.0.0.1", server.port());
        raw.setSoTimeout(5000);
        raw.getOutputStream().write(("GET /ws?user=" + user + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        raw.getOutputStream().flush();
        DataInputStream in = new DataInputStream(raw.getInputStream());
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.readUnsignedByte());
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 101");
        return raw;
    }

    /** Skips server frames (the {@code connected} text frame) until one with {@code opcode}: {length, status}. */
    private static int[] nextFrameOf(DataInputStream in, int opcode) throws Exception {
        while (true) {
            int first = in.readUnsignedByte();
            int length = in.readUnsignedByte() & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            }
            byte[] payload = in.readNBytes(length);
            if ((first & 0x0F) == opcode) {
                int status = length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : -1;
                return new int[] {length, status};
            }
        }
    }
}
