package dev.tandem.transport.stomp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class StompQueueTest {
    static TestServer server;

    @BeforeAll
    static void start() {
        server = TestServer.start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static void publish(String channel, String text) {
        assertThat(server.post("/api/publish", "{\"channel\":\"" + channel + "\",\"payload\":\"" + text + "\"}").statusCode())
                .isEqualTo(200);
    }

    private static RawStompClient member(String user, String destination, String ack) {
        RawStompClient client = RawStompClient.connected(server, user);
        client.frame("SUBSCRIBE", "", "id", "q", "destination", destination, "ack", ack, "receipt", "joined");
        client.receipt("joined");
        return client;
    }

    private static List<String> bodies(RawStompClient client) {
        List<String> bodies = new ArrayList<>();
        StompFrame frame;
        while ((frame = client.poll(Duration.ofMillis(500))) != null) {
            bodies.add(frame.bodyText());
        }
        return bodies;
    }

    @Test
    void eachQueueMessageGoesToOneSubscriberRoundRobinWhileNativeSubscribersSeeAll() {
        try (RawStompClient a = member("qa", "/queue/jobs.rr", "auto");
             RawStompClient b = member("qb", "/queue/jobs.rr", "auto");
             WsClient watcher = server.connect("qw")) {
            watcher.connected();
            watcher.subscribe("jobs:rr");
            for (int i = 0; i < 6; i++) {
                publish("jobs:rr", "job" + i);
            }
            for (int i = 0; i < 6; i++) {
                assertThat(watcher.nextOfType("publication").path("payload").asText()).isEqualTo("job" + i);
            }
            List<String> toA = bodies(a);
            List<String> toB = bodies(b);
            assertThat(toA).hasSize(3);
            assertThat(toB).hasSize(3);
            List<String> all = new ArrayList<>(toA);
            all.addAll(toB);
            assertThat(all).containsExactlyInAnyOrder("job0", "job1", "job2", "job3", "job4", "job5");
        }
    }

    @Test
    void aNackedQueueMessageGoesToTheNextSubscriber() {
        try (RawStompClient a = member("na", "/queue/jobs.nack", "client-individual");
             RawStompClient b = member("nb", "/queue/jobs.nack", "client-individual")) {
            publish("jobs:nack", "retry me");
            StompFrame message = null;
            RawStompClient holder = null;
            for (int tries = 0; message == null && tries < 100; tries++) {
                holder = tries % 2 == 0 ? a : b;
                message = holder.poll(Duration.ofMillis(100));
            }
            assertThat(message).as("the message reached one member").isNotNull();
            RawStompClient other = holder == a ? b : a;
            holder.frame("NACK", "", "id", message.header("ack"));
            StompFrame redelivered = other.expect("MESSAGE");
            assertThat(redelivered.bodyText()).isEqualTo("retry me");
            assertThat(redelivered.header("message-id")).isEqualTo(message.header("message-id"));
            other.frame("ACK", "", "id", redelivered.header("ack"), "receipt", "done");
            other.receipt("done");
            assertThat(holder.poll(Duration.ofMillis(300))).isNull();
        }
    }

    @Test
    void messagesUnacknowledgedAtDisconnectAreRedeliveredToTheRemainingSubscriber() {
        RawStompClient leaver = member("la", "/queue/jobs.leave", "client");
        try (RawStompClient stayer = member("lb", "/queue/jobs.leave", "auto")) {
            publish("jobs:leave", "one");
            publish("jobs:leave", "two");
            List<String> toStayer = new ArrayList<>(bodies(stayer));
            List<String> toLeaver = bodies(leaver);
            assertThat(toLeaver).hasSize(1);
            leaver.close();
            toStayer.add(stayer.expect("MESSAGE").bodyText());
            assertThat(toStayer).containsExactlyInAnyOrder("one", "two");
        }
    }
}
