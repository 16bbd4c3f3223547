package dev.tandem.bench;

import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What a scenario's sinks measure: one latency (µs, HdrHistogram) per arrival and the number of arrivals,
 * recorded from any generator thread. A scenario resets it after its warm-up, waits until the arrivals it
 * expects are in, then takes the histogram of the measured period. A second recorder lets a
 * {@link LatencyBySecond} look at the same arrivals second by second without disturbing the period's histogram.
 */
final class LatencyTally implements LoadClient.DeliverySink {
    private final Recorder latencies = new Recorder(3);
    private final Recorder recent = new Recorder(3);
    private final LongAdder arrivals = new LongAdder();

    /** Records one arrival that took {@code latencyNanos}. */
    @Override
    public void delivered(long latencyNanos) {
        long micros = Math.max(1, latencyNanos / 1000);
        latencies.recordValue(micros);
        recent.recordValue(micros);
        arrivals.increment();
    }

    /** Arrivals since the last reset. */
    long count() {
        return arrivals.sum();
    }

    /** Starts a new period: forgets the arrivals and latencies recorded so far. */
    void reset() {
        latencies.reset();
        recent.reset();
        arrivals.reset();
    }

    /** Waits until {@code expected} arrivals are in or {@code timeout} has passed, whichever is first. */
    void await(long expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (arrivals.sum() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
    }

    /** The latencies recorded since the last reset or histogram. */
    Histogram histogram() {
        return latencies.getIntervalHistogram();
    }

    /** The latencies recorded since the last look (or reset): what {@link LatencyBySecond} samples. */
    Histogram sinceLastLook() {
        return recent.getIntervalHistogram();
    }

    /** A percentile of {@code h} (recorded in µs) in milliseconds. */
    static double millis(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    /** The maximum of {@code h} (recorded in µs) in milliseconds. */
    static double maxMillis(Histogram h) {
        return h.getMaxValue() / 1000.0;
    }
}
