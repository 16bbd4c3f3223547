package dev.tandem.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

/**
 * Live-record updates: W writer connections each own one record of collection {@code bench} and update it in a
 * closed loop ({@code entity.update} with the version the last {@code result} gave, one in flight per writer),
 * while S subscriber connections watch {@code entity:bench}. Throughput is committed updates per second; the
 * latency is from sending an update to its {@code entity:updated} event reaching a subscriber (group commit,
 * fanout, network), recorded for every subscriber copy. Tandem only: peers have no versioned records.
 */
final class EntitiesScenario {

    /**
     * @param subscribers   connections subscribed to {@code entity:bench}
     * @param writers       writer connections (one record and one update in flight each)
     * @param seconds       measured duration
     * @param warmupSeconds unrecorded warm-up
     */
    record Params(int subscribers, int writers, int seconds, int warmupSeconds) {
    }

    /**
     * @param store            h2 or postgres
     * @param params           the parameters
     * @param updates          updates committed in the measured period
     * @param updatesPerSecond updates / seconds
     * @param events           subscriber copies of update events received in the measured period
     * @param p50Millis        median update → event latency
     * @param p99Millis        99th percentile
     * @param maxMillis        maximum
     */
    record Result(String store, Params params, long updates, double updatesPerSecond, long events,
                  double p50Millis, double p99Millis, double maxMillis) {
    }

    private EntitiesScenario() {
    }

    static Result run(String store, ServerUnderTest server, Generator generator, Params params, int round) throws Exception {
        LatencyTally events = new LatencyTally();
        int first = round * 10_000;
        List<LoadClient> subscribers = generator.rampSubscribed(server, first, params.subscribers(), i -> "entity:bench",
                events);
        LongAdder updates = new LongAdder();
        List<Writer> writers = new ArrayList<>();
        try {
            for (int w = 0; w < params.writers(); w++) {
                Writer writer = new Writer("r" + round + "-" + w, updates);
                writer.client = generator.open(server, first + params.subscribers() + w, nanos -> writer.committed())
                        .get(30, TimeUnit.SECONDS);
                writers.add(writer);
            }
            writers.forEach(Writer::create);
            Thread.sleep(1000);
            writers.forEach(Writer::update);
            Thread.sleep(TimeUnit.SECONDS.toMillis(params.warmupSeconds()));
            events.reset();
            long before = updates.sum();
            Thread.sleep(TimeUnit.SECONDS.toMillis(params.seconds()));
            long done = updates.sum() - before;
            Histogram h = events.histogram();
            long copies = events.count();
            writers.forEach(w -> w.running = false);
            return new Result(store, params, done, done / (double) params.seconds(), copies,
                    LatencyTally.millis(h, 50), LatencyTally.millis(h, 99), LatencyTally.maxMillis(h));
        } finally {
            writers.forEach(w -> w.running = false);
            Thread.sleep(200);
            writers.forEach(w -> w.client.close());
            subscribers.forEach(LoadClient::close);
        }
    }

    /** One writer: its record's version advances by one per committed update; the next update follows the reply. */
    private static final class Writer {
        private final String id;
        private final LongAdder updates;
        private final AtomicLong version = new AtomicLong(1);
        private volatile boolean running = true;
        private volatile boolean created;
        private LoadClient client;

        Writer(String id, LongAdder updates) {
            this.id = id;
            this.updates = updates;
        }

        void create() {
            client.send("{\"type\":\"entity.create\",\"requestId\":1,\"payload\":{\"collection\":\"bench\",\"id\":\"" + id
                    + "\",\"data\":{\"t\":" + System.nanoTime() + ",\"status\":\"new\"}}}");
        }

        /** A reply carrying the record's data (and so its {@code "t"}): the create, or an update, committed. */
        void committed() {
            if (!created) {
                created = true;
                return;
            }
            updates.increment();
            version.incrementAndGet();
            if (running) {
                update();
            }
        }

        void update() {
            client.send("{\"type\":\"entity.update\",\"requestId\":2,\"payload\":{\"collection\":\"bench\",\"id\":\"" + id
                    + "\",\"version\":" + version.get() + ",\"data\":{\"t\":" + System.nanoTime()
                    + ",\"status\":\"open\",\"total\":" + version.get() + "}}}");
        }
    }
}
