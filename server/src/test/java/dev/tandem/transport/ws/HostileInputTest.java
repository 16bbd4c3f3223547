package dev.tandem.transport.ws;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Input built to hurt the server: deep JSON, huge strings, bytes that are not UTF-8. */
class HostileInputTest {
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
    void deeplyNestedJsonIsABadRequestAndTheConnectionGoesOn() {
        try (WsClient client = server.connect("nester")) {
            client.connected();
            String deep = "[".repeat(5000) + "]".repeat(5000);
            client.sendText("{\"type\":\"publish\",\"channel\":\"room:deep\",\"payload\":" + deep + "}");
            JsonNode error = client.nextOfType("error");
            assertThat(error.path("payload").path("code").asText()).isEqualTo("bad_request");
            assertThat(error.path("payload").path("message").asText()).contains("nesting depth");
            assertThat(client.request(command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void aHugeStringBeyondTheFrameLimitClosesWith1009AndOthersAreUnaffected() throws Exception {
        try (WsClient attacker = server.connect("huge"); WsClient other = server.connect("calm")) {
            attacker.connected();
            other.connected();
            attacker.sendText("{\"type\":\"publish\",\"channel\":\"room:h\",\"payload\":\"" + "A".repeat(200_000) + "\"}");
            assertThat(attacker.closed().get(10, TimeUnit.SECONDS)).isEqualTo(1009);
            assertThat(other.request(command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void aTextFrameThatIsNotUtf8ClosesThatConnectionOnly() throws Exception {
        try (WsClient other = server.connect("bystander"); Socket raw = new Socket("127.0.0.1", server.port())) {
            other.connected();
            raw.setSoTimeout(10_000);
            OutputStream out = raw.getOutputStream();
            out.write(("GET /ws?user=mangler HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            DataInputStream in = new DataInputStream(raw.getInputStream());
            skipHeaders(in);
            ByteArrayOutputStream payload = new ByteArrayOutputStream();
            payload.write("{\"type\":\"ping\",\"x\":\"".getBytes(StandardCharsets.US_ASCII));
            payload.write(new byte[] {(byte) 0xC3, (byte) 0x28, (byte) 0xFF});
            payload.write("\"}".getBytes(StandardCharsets.US_ASCII));
            out.write(maskedTextFrame(payload.toByteArray()));
            out.flush();
            // Netty's WebSocket handler drops the TCP connection on invalid UTF-8, so the client may see no close frame.
            assertThat(closeCode(in)).isIn(1006, 1007, 4008);
            assertThat(other.request(command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }

    private static void skipHeaders(DataInputStream in) throws IOException {
        int matched = 0;
        byte[] end = "\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during handshake");
            }
            matched = b == end[matched] ? matched + 1 : (b == end[0] ? 1 : 0);
        }
    }

    /** Reads server frames until the close frame; returns its status code, or 1006 when the socket just closes. */
    private static int closeCode(DataInputStream in) throws IOException {
        while (true) {
            int first = in.read();
            if (first < 0) {
                return 1006;
            }
            int opcode = first & 0x0F;
            long length = in.readUnsignedByte() & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] body = in.readNBytes((int) length);
            if (opcode == 0x8) {
                return ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
            }
        }
    }

    private static byte[] maskedTextFrame(byte[] payload) {
        byte[] mask = {0x11, 0x22, 0x33, 0x44};
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        frame.write(0x80 | payload.length);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }
}
