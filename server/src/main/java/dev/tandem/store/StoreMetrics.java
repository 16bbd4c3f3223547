package dev.tandem.store;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The durable store's meters ({@code tandem_store_*}): how many writes each group-commit transaction carried
 * and how long it took from the first statement to the end of the commit (retries of a conflicting transaction
 * included), so an operator sees both whether batching is working and what the database costs per batch.
 * Recorded once per transaction on the writer thread, never per write.
 */
public final class StoreMetrics {
    private final DistributionSummary batchSize;
    private final Timer commitLatency;

    public StoreMetrics(MeterRegistry registry) {
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
}
