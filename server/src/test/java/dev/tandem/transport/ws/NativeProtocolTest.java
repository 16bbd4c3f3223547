package dev.tandem.transport.ws;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NativeProtocolTest {
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
    void connectedIsTheFirstFrameAndCarriesIdentityAndPingInterval() {
        try (WsClient client = server.connect("alice")) {
            JsonNode first = client.poll(java.time.Duration.ofSeconds(5));
            assertThat(first.path("type").asText()).isEqualTo("connected");
            assertThat(first.path("payload").path("userId").asText()).isEqualTo("alice");
            assertThat(first.path("payload").path("connectionId").asText()).startsWith("c_");
            assertThat(first.path("payload").path("pingInterval").asLong()).isEqualTo(25_000);
            assertThat(first.path("timestamp").asLong()).isPositive();
        }
    }

    @Test
    void anonymousConnectionGetsAnAnonUserId() {
        try (WsClient client = WsClient.connect(server.ws(""))) {
            assertThat(client.connected().path("payload").path("userId").asText()).startsWith("anon-");
        }
    }

    @Test
    void publishReachesEverySubscriberWithSeqAndAckCarriesTheSeq() {
        try (WsClient alice = server.connect("alice"); WsClient bob = server.connect("bob")) {
            JsonNode subscribed = bob.subscribe("chat:basic");
            assertThat(subscribed.path("type").asText()).isEqualTo("subscribed");
            assertThat(subscribed.path("payload").path("seq").asLong()).isZero();
            assertThat(subscribed.path("payload").path("recovered").asBoolean()).isFalse();

            JsonNode ack = alice.publish("chat:basic", WsClient.JSON.createObjectNode().put("text", "hi"));
            assertThat(ack.path("type").asText()).isEqualTo("ack");
            assertThat(ack.path("payload").path("seq").asLong()).isEqualTo(1);

            JsonNode publication = bob.nextOfType("publication");
            assertThat(publication.path("channel").asText()).isEqualTo("chat:basic");
            assertThat(publication.path("seq").asLong()).isEqualTo(1);
            assertThat(publication.path("payload").path("text").asText()).isEqualTo("hi");
            assertThat(publication.path("userId").asText()).isEqualTo("alice");
        }
    }

    @Test
    void pingIsAnsweredWithPong() {
        try (WsClient client = server.connect("p")) {
            JsonNode pong = client.request(command("ping"));
            assertThat(pong.path("type").asText()).isEqualTo("pong");
        }
    }
}
