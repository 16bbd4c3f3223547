package dev.tandem.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How much of the time this machine's CPUs are not running what it was given: one thread per CPU spins on the
 * clock and counts every gap between two readings longer than {@link #GAP_NANOS}. On a quiet machine a
 * spinner loses nothing; a virtual machine whose host does not run its CPUs shows gaps on every spinner in the
 * same moment, and every latency measured on it grows by as much. Run it before trusting a tail.
 */
final class MachineScenario {
    /** Longer than a scheduler tick's own work, shorter than any stall that shows in a p99. */
    static final long GAP_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    /**
     * @param thread      which spinner
     * @param gaps        gaps longer than 2 ms
     * @param lostPercent their total, as a share of the run
     * @param worstMillis the longest
     */
    record Spinner(int thread, long gaps, double lostPercent, double worstMillis) {
    }

    private MachineScenario() {
    }

    static List<Spinner> run(int threads, int seconds) throws InterruptedException {
        Spinner[] spinners = new Spinner[threads];
        List<Thread> running = new ArrayList<>();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (int i = 0; i < threads; i++) {
            int index = i;
            Thread t = new Thread(() -> spinners[index] = spin(index, end), "spinner-" + i);
            running.add(t);
            t.start();
        }
        for (Thread t : running) {
            t.join();
        }
        return List.of(spinners);
    }

    private static Spinner spin(int index, long end) {
        long start = System.nanoTime();
        long last = start;
        long gaps = 0;
        long lost = 0;
        long worst = 0;
        while (last < end) {
            long now = System.nanoTime();
            long gap = now - last;
            if (gap > GAP_NANOS) {
                gaps++;
                lost += gap;
                worst = Math.max(worst, gap);
            }
            last = now;
        }
        return new Spinner(index, gaps, 100.0 * lost / (last - start), worst / 1e6);
    }
}
