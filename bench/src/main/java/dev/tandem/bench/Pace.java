package dev.tandem.bench;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * The generator's open-loop schedule: tick {@code i} is due {@code i} intervals after the start, whatever the
 * server does. A tick that is late runs at once and the next ones keep their due times, so a stall shows up as
 * latency in what the ticks send instead of silently lowering the rate (no coordinated omission).
 */
final class Pace {

    private Pace() {
    }

    /** Runs {@code ticks} ticks at {@code perSecond} ticks a second from now; returns {@code ticks}. */
    static long run(long ticks, double perSecond, LongConsumer tick) {
        long interval = (long) (TimeUnit.SECONDS.toNanos(1) / perSecond);
        long start = System.nanoTime();
        for (long i = 0; i < ticks; i++) {
            long wait = start + i * interval - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            tick.accept(i);
        }
        return ticks;
    }
}
