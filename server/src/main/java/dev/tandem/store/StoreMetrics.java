package dev.tandem.store;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The durable store's meters ({@code tandem_store_*}): how many writes each group-commit transaction carried
 * and how long it took from the first statement to the end of the commit (retries of a conflicting transaction
 * included), so an operator sees both whether batching is working and what the database costs per batch.
 * Recorded once per transaction on the writer thread, never per write. On H2 also the database file's size and
 * how full its chunks are, as of the last housekeeping step (PostgreSQL has neither).
 */
public final class StoreMetrics {
    private final DistributionSummary batchSize;
    private final Timer commitLatency;
    private final MeterRegistry registry;
    private final AtomicLong fileBytes = new AtomicLong();
    private final AtomicLong chunksFillRate = new AtomicLong();
    private final AtomicBoolean fileWatched = new AtomicBoolean();

    public StoreMetrics(MeterRegistry registry) {
        this.registry = registry;
        batchSize = DistributionSummary.builder("tandem.store.batch.size")
                .description("writes committed together in one group-commit transaction")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(1.0)
                .maximumExpectedValue(16_384.0)
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .register(registry);
        commitLatency = Timer.builder("tandem.store.commit.latency")
                .description("one group-commit transaction: first statement to commit done")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .register(registry);
    }

    /** Meters nobody scrapes, for a store opened outside a server (tools, tests). */
    public static StoreMetrics unscraped() {
        return new StoreMetrics(new SimpleMeterRegistry());
    }

    void recordCommit(int writes, long nanos) {
        batchSize.record(writes);
        commitLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** The H2 file after a housekeeping step; the gauges appear with the first step, so never on PostgreSQL. */
    void recordFile(long bytes, int fillRate) {
        fileBytes.set(bytes);
        chunksFillRate.set(fillRate);
        if (fileWatched.compareAndSet(false, true)) {
            Gauge.builder("tandem.store.file.size", fileBytes, AtomicLong::get).baseUnit("bytes")
                    .description("size of the embedded H2 database file").register(registry);
            Gauge.builder("tandem.store.chunks.fill", chunksFillRate, AtomicLong::get).baseUnit("percent")
                    .description("live bytes over chunk bytes in the H2 file (below 50 housekeeping compacts)")
                    .register(registry);
        }
    }
}
