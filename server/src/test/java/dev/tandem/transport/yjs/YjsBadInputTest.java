package dev.tandem.transport.yjs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.YjsWsClient;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bad input on {@code /yjs/{room}} closes only the connection that sent it, with a code saying why, and the
 * room keeps serving everyone else.
 */
class YjsBadInputTest {
    private static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("documents.maxMessageBytes", "2048"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void assertStillServes(YjsWsClient bystander) throws Exception {
        bystander.send(new byte[] {0, 0, 1, 0});
        assertThat(bystander.next()).isEqualTo(new byte[] {0, 1, 2, 0, 0});
        assertThat(bystander.closeCode()).isZero();
    }

    @Test
    void aMalformedUpdateClosesItsSenderWith4008AndTheRoomKeepsServingOthers() throws Exception {
        YjsWsClient bystander = YjsWsClient.connect(server, "bad-update");
        bystander.next();
        YjsWsClient sender = YjsWsClient.connect(server, "bad-update");
        sender.next();
        sender.send(new byte[] {0, 2, 5, 1, 1, 7, 0, 4}); // an update cut short
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.closeCode() == 4008);
        assertStillServes(bystander);
    }

    @Test
    void aMessageOverTheDocumentLimitClosesWith1009() throws Exception {
        YjsWsClient sender = YjsWsClient.connect(server, "too-big");
        sender.next();
        sender.send(new byte[4096]);
        await().atMost(Duration.ofSeconds(10)).until(() -> sender.closeCode() == 1009);
    }

    @Test
    void aRoomThatIsNotAValidChannelNameClosesWith4400() {
        YjsWsClient client = YjsWsClient.connect(server, "bad%20room");
        await().atMost(Duration.ofSeconds(10)).until(() -> client.closeCode() == 4400);
    }

    @Test
    void garbageOfUnknownTypeIsIgnoredAndTruncatedFramingCloses() throws Exception {
        YjsWsClient client = YjsWsClient.connect(server, "garbage");
        client.next();
        client.send(new byte[] {9, 9, 9});
        assertStillServes(client);
        client.send(new byte[] {(byte) 0x80});
        await().atMost(Duration.ofSeconds(10)).until(() -> client.closeCode() == 4008);
    }
}
