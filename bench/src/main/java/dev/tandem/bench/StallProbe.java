package dev.tandem.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * How late a thread that sleeps 1 ms at a time wakes up in the generator, the way jHiccup measures a JVM: the
 * worst lateness since the last look. It is the stall the generator saw, whatever its cause (its own GC pause, a
 * thread not scheduled, the whole virtual machine not run by its host), during which every latency it times
 * grows by as much. A second whose ack p99 matches its stall is the machine's, not the server's.
 */
final class StallProbe {
    private static final long NAP_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final AtomicLong worstNanos = new AtomicLong();
    private final Thread sleeper;
    private volatile boolean running = true;

    private StallProbe() {
        this.sleeper = new Thread(this::nap, "stall-probe");
        sleeper.setDaemon(true);
    }

    /** Starts napping from now. */
    static StallProbe start() {
        StallProbe probe = new StallProbe();
        probe.sleeper.start();
        return probe;
    }

    /** The worst lateness (ms) since the previous call, and starts the next interval. */
    double worstMillisSinceLastLook() {
        return worstNanos.getAndSet(0) / 1e6;
    }

    void stop() throws InterruptedException {
        running = false;
        sleeper.join();
    }

    private void nap() {
        while (running) {
            long before = System.nanoTime();
            LockSupport.parkNanos(NAP_NANOS);
            long late = System.nanoTime() - before - NAP_NANOS;
            worstNanos.accumulateAndGet(late, Math::max);
        }
    }
}
