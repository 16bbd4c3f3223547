package dev.tandem.client;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Reconnect delays: exponential with full jitter (a uniformly random delay between 0 and
 * {@code min(max, base * 2^attempt)}), so a fleet of clients cut off together does not come back together.
 *
 * @param base the ceiling of the first delay
 * @param max  the largest ceiling
 */
public record Backoff(Duration base, Duration max) {
    public static final Backoff DEFAULT = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(20));

    public Backoff {
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("need 0 < base <= max, got base=" + base + " max=" + max);
        }
    }

    /** The ceiling for attempt {@code n} (0 for the first retry). */
    public long ceilingMillis(int attempt) {
        long ceiling = base.toMillis() << Math.min(attempt, 30);
        return ceiling <= 0 ? max.toMillis() : Math.min(max.toMillis(), ceiling);
    }

    /** A random delay in {@code [0, ceiling]} for attempt {@code n}. */
    public long delayMillis(int attempt) {
        return ThreadLocalRandom.current().nextLong(ceilingMillis(attempt) + 1);
    }
}
