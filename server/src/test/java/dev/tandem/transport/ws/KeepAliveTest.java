package dev.tandem.transport.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeepAliveTest {

    @Test
    void aPeerThatGoesSilentIsClosedAfterTwoPingIntervals() throws Exception {
        try (TestServer server = TestServer.start(Map.of("connection.pingInterval", "300ms"));
             Socket raw = new Socket("127.0.0.1", server.port())) {
            // A raw WebSocket handshake, then never answer pings: a client whose network vanished.
            OutputStream out = raw.getOutputStream();
            out.write(("GET /ws?user=ghost HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = raw.getInputStream();
            assertThat(new String(in.readNBytes(12), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 101");
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().sessions().size() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> server.server().sessions().size() == 0);
        }
    }

    @Test
    void aClientThatAnswersPingsStaysConnected() throws Exception {
        try (TestServer server = TestServer.start(Map.of("connection.pingInterval", "300ms"));
             WsClient client = server.connect("alive")) {
            client.connected();
            Thread.sleep(1500);
            assertThat(client.closed()).isNotDone();
            assertThat(client.request(WsClient.command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }
}
