package dev.tandem.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * N idle connections, each subscribed to a channel of its own. Measures the server's resident memory and (for
 * Tandem) its heap after a full GC, before the ramp, half way and after it, and reports the cost per connection
 * over the whole ramp and over its second half. The second half is the marginal cost: the first also pays for
 * memory a fresh process touches once whatever it holds (a JVM's young generation, V8's new space).
 */
final class ConnectionsScenario {

    /**
     * What one run measured.
     *
     * @param server              which server
     * @param connections         connections held
     * @param rampSeconds         time to open and subscribe them all
     * @param rssBytesPerConnection  RSS growth per connection over the whole ramp
     * @param marginalRssBytesPerConnection RSS growth per connection over the ramp's second half
     * @param heapBytesPerConnection heap growth per connection after full GC (-1 when not measurable)
     */
    record Result(String server, int connections, double rampSeconds, double rssBytesPerConnection,
                  double marginalRssBytesPerConnection, double heapBytesPerConnection) {
    }

    /** The server's memory at one point of the ramp. */
    private record Reading(long rss, OptionalLong heap) {
        static Reading of(ServerUnderTest server) throws Exception {
            OptionalLong heap = server.heapAfterGc();
            return new Reading(server.rssBytes(), heap);
        }
    }

    private ConnectionsScenario() {
    }

    static Result run(ServerUnderTest server, Generator generator, int count) throws Exception {
        // Warm the server's paths with a few connections first so class loading is not billed to the ramp.
        generator.rampSubscribed(server, 0, Math.min(50, count), i -> "bench:c" + i, n -> { })
                .forEach(LoadClient::close);
        Thread.sleep(1000);
        Reading before = Reading.of(server);
        int firstHalf = count / 2;
        long start = System.nanoTime();
        List<LoadClient> clients = new ArrayList<>(
                generator.rampSubscribed(server, 0, firstHalf, i -> "bench:c" + i, n -> { }));
        double ramp = (System.nanoTime() - start) / 1e9;
        try {
            Thread.sleep(2000);
            Reading half = Reading.of(server);
            start = System.nanoTime();
            clients.addAll(generator.rampSubscribed(server, firstHalf, count - firstHalf, i -> "bench:c" + i, n -> { }));
            ramp += (System.nanoTime() - start) / 1e9;
            Thread.sleep(2000);
            Reading after = Reading.of(server);
            double heapPer = before.heap().isPresent() && after.heap().isPresent()
                    ? (after.heap().getAsLong() - before.heap().getAsLong()) / (double) count : -1;
            return new Result(server.name(), count, ramp, (after.rss() - before.rss()) / (double) count,
                    (after.rss() - half.rss()) / (double) (count - firstHalf), heapPer);
        } finally {
            clients.forEach(LoadClient::close);
        }
    }
}
