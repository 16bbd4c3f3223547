package dev.tandem.bench;

import dev.tandem.hub.Since;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * A reconnect storm: N clients on C channels drop at once (a deploy, a network blip), every channel moves on
 * by M publications while they are away, and all N reconnect together, each subscribing with {@code since}.
 * Measures the time until every client has recovered every missed publication, and how many recovered.
 * Tandem only: the peers have no recovery to measure.
 */
final class ReconnectStormScenario {

    /**
     * Results.
     *
     * @param clients          clients that dropped and came back
     * @param channels         channels they were spread over
     * @param missedPerChannel publications each channel got while they were away
     * @param recovered        subscribe replies with {@code recovered: true}
     * @param delivered        missed publications received after reconnecting
     * @param expected         clients × missed per channel
     * @param secondsToRecover from the first reconnect to the last missed publication received
     */
    record Result(int clients, int channels, int missedPerChannel, int recovered, long delivered, long expected,
                  double secondsToRecover) {
    }

    private ReconnectStormScenario() {
    }

    static Result run(ServerUnderTest server, Generator generator, int clients, int channels, int missed)
            throws Exception {
        LongAdder delivered = new LongAdder();
        LoadClient.DeliverySink sink = nanos -> delivered.increment();
        List<LoadClient> first = generator.rampSubscribed(server, 0, clients, i -> channelOf(i, channels), n -> { });
        LoadClient publisher = generator.open(server, clients, n -> { }).get(30, TimeUnit.SECONDS);
        for (int c = 0; c < channels; c++) {
            publisher.send(server.dialect().publish("bench:storm" + c, "{\"n\":0}", 1));
        }
        Thread.sleep(1000);
        Map<String, Since> positions = server.channelPositions();
        first.forEach(LoadClient::close);
        Thread.sleep(1000);
        for (int m = 0; m < missed; m++) {
            for (int c = 0; c < channels; c++) {
                publisher.send(server.dialect().publish("bench:storm" + c, "{\"t\":1,\"m\":" + m + "}", 1));
            }
        }
        awaitSeq(server, channels, positions, missed);

        long start = System.nanoTime();
        List<LoadClient> back = generator.ramp(server, 0, clients, i -> {
            String channel = channelOf(i, channels);
            Since since = positions.get(channel);
            return List.of("{\"type\":\"subscribe\",\"channel\":\"" + channel + "\",\"requestId\":1,\"since\":{\"seq\":"
                    + since.seq() + ",\"epoch\":\"" + since.epoch() + "\"}}");
        }, i -> sink, 2000);
        long expected = (long) clients * missed;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (delivered.sum() < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        int recovered = back.stream().mapToInt(LoadClient::recoveredCount).sum();
        back.forEach(LoadClient::close);
        publisher.close();
        return new Result(clients, channels, missed, recovered, delivered.sum(), expected, seconds);
    }

    private static String channelOf(int client, int channels) {
        return "bench:storm" + (client % channels);
    }

    private static void awaitSeq(ServerUnderTest server, int channels, Map<String, Since> positions, int missed)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Map<String, Since> now = server.channelPositions();
            boolean done = true;
            for (int c = 0; c < channels && done; c++) {
                String channel = "bench:storm" + c;
                done = now.containsKey(channel) && now.get(channel).seq() >= positions.get(channel).seq() + missed;
            }
            if (done) {
                return;
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("publishes did not land");
    }
}
