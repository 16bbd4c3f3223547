package dev.tandem.transport.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestServer;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StompHeartBeatTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start(Map.of("connection.pingInterval", "1s"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static RawStompClient connect(String heartBeat) {
        RawStompClient client = RawStompClient.open(RawStompClient.uri(server, ""), "v12.stomp");
        client.send("CONNECT\naccept-version:1.2\nheart-beat:" + heartBeat + "\n\n\0");
        assertThat(client.expect("CONNECTED").header("heart-beat")).isEqualTo("1000,1000");
        return client;
    }

    @Test
    void theServerSendsNewlinesAtTheNegotiatedIntervalWhenItHasNothingElseToSay() {
        try (RawStompClient client = connect("0,500")) {
            Awaitility.await().atMost(Duration.ofSeconds(15)).until(() -> client.heartBeats() >= 3);
            assertThat(client.closed()).isNotDone();
        }
    }

    @Test
    void aClientThatStopsSendingHeartBeatsGetsAnErrorAndIsClosed() {
        try (RawStompClient client = connect("500,0")) {
            StompFrame error = client.next();
            assertThat(error.command()).isEqualTo("ERROR");
            assertThat(error.header("message")).contains("heart-beat timeout");
            assertThat(client.closed()).succeedsWithin(Duration.ofSeconds(10));
        }
    }

    @Test
    void aClientThatKeepsSendingHeartBeatsStaysConnected() throws Exception {
        try (RawStompClient client = connect("500,0")) {
            long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
            while (System.nanoTime() < until) {
                client.send("\n");
                Thread.sleep(400);
            }
            assertThat(client.closed()).isNotDone();
            client.frame("SEND", "still here", "destination", "/topic/hb.alive", "receipt", "r");
            client.receipt("r");
        }
    }
}
