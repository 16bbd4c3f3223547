package dev.tandem.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * The p99 of each second of a measured period, sampled from a {@link LatencyTally} on a daemon thread, beside the
 * worst stall the generator itself saw in that second ({@link StallProbe}). One period p99 cannot tell a tail
 * spread over every second from one stall; the seconds can (a cold server's collapse, a GC pause, a writer that
 * fell behind once), and the stalls tell the seconds the machine stood still.
 */
final class LatencyBySecond {
    private final LatencyTally tally;
    private final List<Double> p99Millis = Collections.synchronizedList(new ArrayList<>());
    private final List<Double> stallMillis = Collections.synchronizedList(new ArrayList<>());
    private final StallProbe stalls = StallProbe.start();
    private final Thread sampler;
    private volatile boolean running = true;

    private LatencyBySecond(LatencyTally tally) {
        this.tally = tally;
        this.sampler = new Thread(this::sample, "latency-by-second");
        sampler.setDaemon(true);
    }

    /** Starts sampling {@code tally} once a second from now. */
    static LatencyBySecond start(LatencyTally tally) {
        tally.sinceLastLook();
        LatencyBySecond seconds = new LatencyBySecond(tally);
        seconds.stalls.worstMillisSinceLastLook();
        seconds.sampler.start();
        return seconds;
    }

    /** Stops sampling; returns the p99 (ms) of each whole second that had arrivals, in order. */
    List<Double> stop() throws InterruptedException {
        running = false;
        LockSupport.unpark(sampler);
        sampler.join();
        stalls.stop();
        return List.copyOf(p99Millis);
    }

    /** After {@link #stop()}: the generator's worst stall (ms) in each of the same seconds. */
    List<Double> stallMillis() {
        return List.copyOf(stallMillis);
    }

    private void sample() {
        long next = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (running) {
            LockSupport.parkNanos(next - System.nanoTime());
            if (!running) {
                return;
            }
            if (System.nanoTime() < next) {
                continue;
            }
            next += TimeUnit.SECONDS.toNanos(1);
            Histogram second = tally.sinceLastLook();
            double stall = stalls.worstMillisSinceLastLook();
            if (second.getTotalCount() > 0) {
                p99Millis.add(LatencyTally.millis(second, 99));
                stallMillis.add(stall);
            }
        }
    }

    /** The median of {@code values} (NaN when empty). */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /** The largest of {@code values} (NaN when empty). */
    static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }
}
