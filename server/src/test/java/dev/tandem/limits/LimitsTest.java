package dev.tandem.limits;

import static dev.tandem.testing.WsClient.command;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestTokens;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Per-connection, per-channel, per-user and per-address limits, each hit on purpose by an abusive client. */
class LimitsTest {

    @Test
    void theFiftyFirstSubscriptionIsRefusedWithLimitExceeded() {
        try (TestServer server = TestServer.start(); WsClient client = server.connect("collector")) {
            for (int i = 1; i <= 50; i++) {
                assertThat(client.subscribe("room:s" + i).path("type").asText()).isEqualTo("subscribed");
            }
            JsonNode refused = client.subscribe("room:s51");
            assertThat(refused.path("payload").path("code").asText()).isEqualTo("limit_exceeded");
            assertThat(refused.path("payload").path("message").asText()).contains("50");
            client.request(command("unsubscribe").put("channel", "room:s1"));
            assertThat(client.subscribe("room:s51").path("type").asText()).isEqualTo("subscribed");
        }
    }

    @Test
    void aCommandFloodIsRateLimitedWhileAnotherClientsPingsStayFast() throws Exception {
        // The flooder does not read as fast as it writes; a deep queue keeps it from being cut as a slow consumer,
        // so the test sees every reply.
        Map<String, String> limits = Map.of("limits.commandRate", "100", "limits.commandBurst", "200",
                "limits.floodDisconnectAfter", "1000000", "limits.outboundQueueFrames", "20000");
        try (TestServer server = TestServer.start(limits);
             WsClient flooder = server.connect("flooder");
             WsClient victim = server.connect("victim")) {
            flooder.connected();
            victim.connected();
            long quietMedian = medianPingMillis(victim, 20);

            int flood = 2000;
            long start = System.nanoTime();
            Thread sender = new Thread(() -> {
                for (int i = 0; i < flood; i++) {
                    flooder.send(command("ping"));
                }
            });
            sender.start();
            long floodMedian = medianPingMillis(victim, 20);
            sender.join();

            int pongs = 0;
            int limited = 0;
            for (int i = 0; i < flood; i++) {
                JsonNode reply = flooder.next(f -> f.has("requestId"), "reply " + i);
                if (reply.path("type").asText().equals("pong")) {
                    pongs++;
                } else if (reply.path("payload").path("code").asText().equals("rate_limited")) {
                    limited++;
                }
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("flood: %d pongs, %d rate_limited in %.2f s; victim median ping %d ms quiet, %d ms under flood%n",
                    pongs, limited, seconds, quietMedian, floodMedian);
            assertThat(pongs + limited).isEqualTo(flood);
            assertThat(limited).isPositive();
            assertThat((double) pongs).as("burst 200 plus 100/s").isLessThanOrEqualTo(200 + 100 * seconds + 10);
            // Generous on purpose (a busy 2-core box): the point is that the victim is neither limited nor stuck
            // behind the flood's queue.
            assertThat(floodMedian).isLessThan(Math.max(1000, quietMedian * 50));
            assertThat(victim.closed()).isNotDone();
            assertThat(server.server().metrics().scrape()).contains("tandem_refusals_total{reason=\"rate_limited\"} " + limited + ".0");
        }
    }

    private static long medianPingMillis(WsClient client, int count) {
        List<Long> samples = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long t = System.nanoTime();
            JsonNode reply = client.request(command("ping"));
            assertThat(reply.path("type").asText()).as("the victim is never rate limited").isEqualTo("pong");
            samples.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t));
        }
        samples.sort(Long::compare);
        return samples.get(count / 2);
    }

    @Test
    void aClientThatKeepsFloodingIsClosedWith4029() throws Exception {
        Map<String, String> limits = Map.of("limits.commandRate", "100", "limits.commandBurst", "200",
                "limits.floodDisconnectAfter", "50");
        try (TestServer server = TestServer.start(limits);
             WsClient flooder = server.connect("flooder");
             WsClient bystander = server.connect("bystander")) {
            flooder.connected();
            for (int i = 0; i < 1000 && !flooder.closed().isDone(); i++) {
                try {
                    flooder.send(command("ping"));
                } catch (CompletionException closedUnderTheLoop) {
                    break; // the server's close can reach the socket before closed() completes
                }
            }
            JsonNode disconnect = flooder.nextOfType("disconnect");
            assertThat(disconnect.path("payload").path("code").asInt()).isEqualTo(4029);
            assertThat(disconnect.path("payload").path("reconnect").asBoolean()).isTrue();
            assertThat(flooder.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4029);
            assertThat(bystander.request(command("ping")).path("type").asText()).isEqualTo("pong");
        }
    }

    @Test
    void publishesIntoOneChannelAreRateLimitedAcrossConnectionsButOtherChannelsAreNot() {
        Map<String, String> limits = Map.of("limits.channelPublishRate", "2", "limits.channelPublishBurst", "5");
        try (TestServer server = TestServer.start(limits);
             WsClient a = server.connect("a");
             WsClient b = server.connect("b")) {
            int acked = 0;
            int limited = 0;
            for (int i = 0; i < 10; i++) {
                JsonNode reply = (i % 2 == 0 ? a : b).publish("room:busy", WsClient.JSON.createObjectNode().put("i", i));
                if (reply.path("type").asText().equals("ack")) {
                    acked++;
                } else if (reply.path("payload").path("code").asText().equals("rate_limited")) {
                    limited++;
                }
            }
            assertThat(acked).isBetween(5, 7);
            assertThat(limited).isEqualTo(10 - acked);
            assertThat(a.publish("room:calm", WsClient.JSON.createObjectNode()).path("type").asText()).isEqualTo("ack");
        }
    }

    @Test
    void aUserBeyondItsConnectionLimitIsClosedWith4008() throws Exception {
        try (TestServer server = TestServer.start(Map.of("limits.maxConnectionsPerUser", "2"));
             WsClient first = server.connect("sam");
             WsClient second = server.connect("sam")) {
            first.connected();
            second.connected();
            try (WsClient third = server.connect("sam")) {
                JsonNode disconnect = third.nextOfType("disconnect");
                assertThat(disconnect.path("payload").path("code").asInt()).isEqualTo(4008);
                assertThat(disconnect.path("payload").path("reason").asText()).contains("too many connections for this user");
                assertThat(third.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4008);
            }
            first.close();
            await().atMost(Duration.ofSeconds(10)).until(() -> server.server().sessions().size() == 1);
            try (WsClient again = server.connect("sam")) {
                assertThat(again.connected().path("type").asText()).isEqualTo("connected");
            }
        }
    }

    @Test
    void anAddressBeyondItsConnectionLimitIsClosedWith4008InProduction() throws Exception {
        List<WsClient> held = new ArrayList<>();
        try (TestServer server = TestServer.start(TestTokens.production("limits.maxConnectionsPerIp", "3"))) {
            for (int i = 0; i < 3; i++) {
                WsClient client = server.connectWithToken(TestTokens.forUser("ip" + i));
                client.connected();
                held.add(client);
            }
            try (WsClient fourth = server.connectWithToken(TestTokens.forUser("ip4"))) {
                assertThat(fourth.nextOfType("disconnect").path("payload").path("code").asInt()).isEqualTo(4008);
                assertThat(fourth.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4008);
            }
        } finally {
            held.forEach(WsClient::close);
        }
    }

    @Test
    void handshakesFasterThanTheAddressRateAreRefusedWith4029InProduction() throws Exception {
        try (TestServer server = TestServer.start(TestTokens.production(
                "limits.handshakeRatePerIp", "1", "limits.handshakeBurstPerIp", "3"))) {
            List<WsClient> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    WsClient client = server.connectWithToken(TestTokens.forUser("h" + i));
                    assertThat(client.connected().path("type").asText()).isEqualTo("connected");
                    clients.add(client);
                }
                WsClient refused = server.connectWithToken(TestTokens.forUser("h3"));
                clients.add(refused);
                assertThat(refused.nextOfType("disconnect").path("payload").path("code").asInt()).isEqualTo(4029);
                assertThat(refused.closed().get(10, TimeUnit.SECONDS)).isEqualTo(4029);
            } finally {
                clients.forEach(WsClient::close);
            }
        }
    }
}
