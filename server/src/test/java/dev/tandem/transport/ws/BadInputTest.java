package dev.tandem.transport.ws;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every kind of bad input gets a clear error, and the connection goes on working afterwards. */
class BadInputTest {
    static TestServer server;
    WsClient client;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void connect() {
        client = server.connect("tester");
        client.connected();
    }

    @AfterEach
    void assertConnectionStillWorksAndClose() {
        if (!client.closed().isDone()) {
            assertThat(client.request(command("ping")).path("type").asText()).isEqualTo("pong");
        }
        client.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "malformed JSON             | {\"type\": \"ping\"                                   | malformed JSON",
            "not an object              | [1, 2, 3]                                             | must be a JSON object",
            "missing type               | {\"channel\": \"room:a\"}                             | 'type' is required",
            "type not a string          | {\"type\": 42}                                        | 'type' is required",
            "unknown type               | {\"type\": \"teleport\"}                              | unknown type 'teleport'",
            "subscribe without channel  | {\"type\": \"subscribe\"}                             | 'channel' is required",
            "channel not a string       | {\"type\": \"subscribe\", \"channel\": 7}             | 'channel' must be a string",
            "channel with bad chars     | {\"type\": \"subscribe\", \"channel\": \"room:a b\"}  | may only contain",
            "empty channel              | {\"type\": \"subscribe\", \"channel\": \"\"}          | must not be empty",
            "publish without payload    | {\"type\": \"publish\", \"channel\": \"room:a\"}      | 'payload' is required",
            "since not an object        | {\"type\": \"subscribe\", \"channel\": \"room:a\", \"since\": 5} | 'since' must be an object",
            "since without epoch        | {\"type\": \"subscribe\", \"channel\": \"room:a\", \"since\": {\"seq\": 1}} | 'since.epoch' is required",
            "negative history limit     | {\"type\": \"history\", \"channel\": \"room:a\", \"limit\": -1} | 'limit' must be a non-negative integer",
            "history after and before   | {\"type\": \"history\", \"channel\": \"room:a\", \"after\": 1, \"before\": 5} | not both",
            "unsubscribe not subscribed | {\"type\": \"unsubscribe\", \"channel\": \"room:a\"}  | not subscribed",
            "requestId an object        | {\"type\": \"ping\", \"requestId\": {}}               | 'requestId' must be",
    })
    void badCommandGetsABadRequestErrorNamingTheProblem(String name, String frame, String message) {
        client.sendText(frame);
        JsonNode error = client.nextOfType("error");
        assertThat(error.path("payload").path("code").asText()).isEqualTo("bad_request");
        assertThat(error.path("payload").path("message").asText()).contains(message);
        assertThat(error.path("timestamp").asLong()).isPositive();
    }

    @Test
    void errorCarriesTheRequestIdOfTheCommandItAnswers() {
        client.sendText("{\"type\": \"teleport\", \"requestId\": \"r-77\"}");
        assertThat(client.nextOfType("error").path("requestId").asText()).isEqualTo("r-77");
    }

    @Test
    void channelNameOverTheLimitIsRefused() {
        JsonNode error = client.subscribe("room:" + "a".repeat(251));
        assertThat(error.path("type").asText()).isEqualTo("error");
        assertThat(error.path("payload").path("message").asText()).contains("longer than 255");
        assertThat(client.subscribe("room:" + "a".repeat(250)).path("type").asText()).isEqualTo("subscribed");
    }

    @Test
    void subscribingTwiceIsAnError() {
        client.subscribe("room:twice");
        JsonNode error = client.subscribe("room:twice");
        assertThat(error.path("payload").path("message").asText()).contains("already subscribed");
    }

    @Test
    void binaryFrameGetsAnErrorAndTheConnectionStaysOpen() {
        client.sendBinary(new byte[] {1, 2, 3});
        JsonNode error = client.nextOfType("error");
        assertThat(error.path("payload").path("message").asText()).contains("binary frames are not accepted");
    }

    @Test
    void frameOverTheLimitClosesWith1009AfterADisconnectFrame() throws Exception {
        client.sendText("{\"type\":\"publish\",\"channel\":\"room:big\",\"payload\":\"" + "x".repeat(70_000) + "\"}");
        JsonNode disconnect = client.nextOfType("disconnect");
        assertThat(disconnect.path("payload").path("code").asInt()).isEqualTo(1009);
        assertThat(client.closed().get(10, TimeUnit.SECONDS)).isEqualTo(1009);
    }

    @Test
    void oneClientsBadInputDoesNotDisturbAnother() {
        try (WsClient other = server.connect("other")) {
            other.subscribe("room:calm");
            client.sendText("{{{{");
            client.nextOfType("error");
            client.publish("room:calm", WsClient.JSON.createObjectNode().put("ok", true));
            assertThat(other.nextOfType("publication").path("payload").path("ok").asBoolean()).isTrue();
        }
    }
}
