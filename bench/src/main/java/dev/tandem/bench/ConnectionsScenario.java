package dev.tandem.bench;

import java.util.List;
import java.util.OptionalLong;

/**
 * N idle connections, each subscribed to a channel of its own. Measures the server's resident memory and (for
 * Tandem) its heap after a full GC, before and after the ramp, and reports the cost per connection.
 */
final class ConnectionsScenario {

    /**
     * What one run measured.
     *
     * @param server              which server
     * @param connections         connections held
     * @param rampSeconds         time to open and subscribe them all
     * @param rssBytesPerConnection  RSS growth per connection
     * @param heapBytesPerConnection heap growth per connection after full GC (-1 when not measurable)
     */
    record Result(String server, int connections, double rampSeconds, double rssBytesPerConnection,
                  double heapBytesPerConnection) {
    }

    private ConnectionsScenario() {
    }

    static Result run(ServerUnderTest server, Generator generator, int count) throws Exception {
        // Warm the server's paths with a few connections first so class loading is not billed to the ramp.
        generator.rampSubscribed(server, 0, Math.min(50, count), i -> "bench:c" + i, n -> { })
                .forEach(LoadClient::close);
        Thread.sleep(1000);
        OptionalLong heapBefore = server.heapAfterGc();
        long rssBefore = server.rssBytes();
        long start = System.nanoTime();
        List<LoadClient> clients = generator.rampSubscribed(server, 0, count, i -> "bench:c" + i, n -> { });
        double ramp = (System.nanoTime() - start) / 1e9;
        try {
            Thread.sleep(2000);
            OptionalLong heapAfter = server.heapAfterGc();
            long rssAfter = server.rssBytes();
            double heapPer = heapBefore.isPresent() && heapAfter.isPresent()
                    ? (heapAfter.getAsLong() - heapBefore.getAsLong()) / (double) count : -1;
            return new Result(server.name(), count, ramp, (rssAfter - rssBefore) / (double) count, heapPer);
        } finally {
            clients.forEach(LoadClient::close);
        }
    }
}
