package dev.tandem.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

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

    private ClusterScenario() {
    }

    static Result run(String setup, List<ServerUnderTest> nodes, Generator generator, Params params) throws Exception {
        Recorder local = new Recorder(3);
        Recorder cross = new Recorder(3);
        LongAdder deliveries = new LongAdder();
        List<LoadClient> clients = new ArrayList<>();
        try {
            int perNode = params.subscribers() / nodes.size();
            for (int n = 0; n < nodes.size(); n++) {
                Recorder recorder = n == 0 ? local : cross;
                clients.addAll(generator.rampSubscribed(nodes.get(n), n * perNode, perNode, i -> CHANNEL, nanos -> {
                    recorder.recordValue(Math.max(1, nanos / 1000));
                    deliveries.increment();
                }));
            }
            LoadClient publisher = generator.open(nodes.get(0), 1_000_000, nanos -> { }).get(30, TimeUnit.SECONDS);
            clients.add(publisher);
            publish(publisher, nodes.get(0).dialect(), params.rate(), params.warmupSeconds());
            Thread.sleep(500);
            local.reset();
            cross.reset();
            deliveries.reset();
            long published = publish(publisher, nodes.get(0).dialect(), params.rate(), params.seconds());
            long expected = published * perNode * nodes.size();
            long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (deliveries.sum() < expected && System.nanoTime() < drainDeadline) {
                Thread.sleep(20);
            }
            Histogram l = local.getIntervalHistogram();
            Histogram c = cross.getIntervalHistogram();
            boolean single = nodes.size() == 1;
            return new Result(setup, params, deliveries.sum() / (double) params.seconds(),
                    l.getValueAtPercentile(50) / 1000.0, l.getValueAtPercentile(99) / 1000.0,
                    single ? Double.NaN : c.getValueAtPercentile(50) / 1000.0,
                    single ? Double.NaN : c.getValueAtPercentile(99) / 1000.0);
        } finally {
            clients.forEach(LoadClient::close);
        }
    }

    private static long publish(LoadClient publisher, Dialect dialect, int rate, int seconds) {
        long interval = TimeUnit.SECONDS.toNanos(1) / rate;
        long start = System.nanoTime();
        long total = (long) rate * seconds;
        for (long i = 0; i < total; i++) {
            long wait = start + i * interval - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            publisher.send(dialect.publish(CHANNEL, "{\"t\":" + System.nanoTime() + ",\"p\":\"cluster-benchmark\"}", 1));
        }
        return total;
    }
}
