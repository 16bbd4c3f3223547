package dev.tandem.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Cross-node delivery: subscribers spread evenly over the nodes of a cluster (or all on one node, for the
 * single-node baseline), one publisher on the first node publishing on one memory-history channel at a fixed
 * rate. Latency is send → delivery, measured separately for subscribers on the publisher's node and on the
 * others (which every publication reaches through Redis).
 */
final class ClusterScenario {
    static final String CHANNEL = "room:cluster-bench";

    /**
     * @param subscribers    subscriber connections in all
     * @param rate           publications per second
     * @param seconds        measured duration
     * @param warmupSeconds  unrecorded warm-up at the same rate
     */
    record Params(int subscribers, int rate, int seconds, int warmupSeconds) {
    }

    /**
     * @param setup              "1 node" or "N nodes"
     * @param params             the parameters
     * @param deliveriesPerSecond deliveries to every subscriber per second
     * @param localP50Millis     median latency on the publisher's node
     * @param localP99Millis     99th percentile there
     * @param crossP50Millis     median latency on the other nodes (NaN on a single node)
     * @param crossP99Millis     99th percentile there
     */
    record Result(String setup, Params params, double deliveriesPerSecond, double localP50Millis,
                  double localP99Millis, double crossP50Millis, double crossP99Millis) {
    }

    /** How long the deliveries of the measured period may take to arrive after its last publication. */
    private static final Duration DRAIN = Duration.ofSeconds(10);

    private ClusterScenario() {
    }

    static Result run(String setup, List<ServerUnderTest> nodes, Generator generator, Params params) throws Exception {
        LatencyTally local = new LatencyTally();
        LatencyTally cross = new LatencyTally();
        List<LoadClient> clients = new ArrayList<>();
        try {
            int perNode = params.subscribers() / nodes.size();
            for (int n = 0; n < nodes.size(); n++) {
                clients.addAll(generator.rampSubscribed(nodes.get(n), n * perNode, perNode, i -> CHANNEL,
                        n == 0 ? local : cross));
            }
            LoadClient publisher = generator.open(nodes.get(0), 1_000_000, nanos -> { }).get(30, TimeUnit.SECONDS);
            clients.add(publisher);
            publish(publisher, nodes.get(0).dialect(), params.rate(), params.warmupSeconds());
            Thread.sleep(500);
            local.reset();
            cross.reset();
            long published = publish(publisher, nodes.get(0).dialect(), params.rate(), params.seconds());
            local.await(published * perNode, DRAIN);
            cross.await(published * perNode * (nodes.size() - 1), DRAIN);
            Histogram l = local.histogram();
            Histogram c = cross.histogram();
            boolean single = nodes.size() == 1;
            return new Result(setup, params, (local.count() + cross.count()) / (double) params.seconds(),
                    LatencyTally.millis(l, 50), LatencyTally.millis(l, 99),
                    single ? Double.NaN : LatencyTally.millis(c, 50), single ? Double.NaN : LatencyTally.millis(c, 99));
        } finally {
            clients.forEach(LoadClient::close);
        }
    }

    private static long publish(LoadClient publisher, Dialect dialect, int rate, int seconds) {
        return Pace.run((long) rate * seconds, rate, i ->
                publisher.send(dialect.publish(CHANNEL, "{\"t\":" + System.nanoTime() + ",\"p\":\"cluster-benchmark\"}", 1)));
    }
}
