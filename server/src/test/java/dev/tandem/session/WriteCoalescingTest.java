package dev.tandem.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.ops.TandemMetrics;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class WriteCoalescingTest {

    @Test
    void framesArrivingWithinTheFlushDelayOfABusyConnectionShareOneWriteAndKeepTheirOrder() throws Exception {
        try (TestServer server = TestServer.start(Map.of("transports.flushDelay", "200ms"));
             WsClient reader = server.connect("reader")) {
            // The subscribe reply has just been written, so the connection counts as busy for the next 200 ms.
            reader.subscribe("room:busy");
            TandemMetrics metrics = server.server().metrics();
            double framesBefore = metrics.framesOut().count();
            double writesBefore = metrics.socketWrites().count();

            int total = 200;
            for (int i = 1; i <= total; i++) {
                server.server().hub().publish("room:busy", WsClient.JSON.createObjectNode().put("i", i), null);
            }
            for (int i = 1; i <= total; i++) {
                assertThat(reader.nextOfType("publication").path("payload").path("i").asInt()).isEqualTo(i);
            }

            assertThat(metrics.framesOut().count() - framesBefore).isEqualTo(total);
            // Without coalescing the loop writes as the publications trickle in (tens to hundreds of writes).
            assertThat(metrics.socketWrites().count() - writesBefore).isLessThanOrEqualTo(10);
        }
    }

    @Test
    void aBusyConnectionsFrameWaitsTheFlushDelayFromItsOwnArrivalSoTheNextFrameSharesItsWrite() throws Exception {
        try (TestServer server = TestServer.start(Map.of("transports.flushDelay", "1s"));
             WsClient reader = server.connect("reader")) {
            // The subscribe reply is written now; 1.5 s of the connection counting as busy follow.
            reader.subscribe("room:steady");
            TandemMetrics metrics = server.server().metrics();
            double writesBefore = metrics.socketWrites().count();

            // The first frame comes 0.6 s after that write, the second 0.6 s after the first. Counted from the
            // last write the first frame would go out alone at 1 s; counted from its own arrival it waits until
            // 1.6 s, and the second (at 1.2 s) joins it.
            Thread.sleep(600);
            server.server().hub().publish("room:steady", WsClient.JSON.createObjectNode().put("i", 1), null);
            Thread.sleep(600);
            server.server().hub().publish("room:steady", WsClient.JSON.createObjectNode().put("i", 2), null);
            assertThat(reader.nextOfType("publication").path("payload").path("i").asInt()).isEqualTo(1);
            assertThat(reader.nextOfType("publication").path("payload").path("i").asInt()).isEqualTo(2);

            assertThat(metrics.socketWrites().count() - writesBefore).isEqualTo(1);
        }
    }

    @Test
    void aFrameForAConnectionQuietLongerThanTheBusyWindowIsWrittenWithoutWaiting() throws Exception {
        try (TestServer server = TestServer.start(Map.of("transports.flushDelay", "1s"));
             WsClient reader = server.connect("reader")) {
            reader.subscribe("room:quiet");
            // Busy means written less than 1.5 × the delay ago.
            Thread.sleep(1700);
            TandemMetrics metrics = server.server().metrics();
            double writesBefore = metrics.socketWrites().count();

            long start = System.nanoTime();
            server.server().hub().publish("room:quiet", WsClient.JSON.createObjectNode().put("i", 1), null);
            assertThat(reader.nextOfType("publication").path("payload").path("i").asInt()).isEqualTo(1);
            long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

            assertThat(metrics.socketWrites().count() - writesBefore).isEqualTo(1);
            // Held, it would have waited out the full second; the bound leaves room for a loaded machine.
            assertThat(elapsedMillis).isLessThan(700);
        }
    }
}
