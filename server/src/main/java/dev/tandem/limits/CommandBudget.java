package dev.tandem.limits;

/**
 * How many commands one connection may still send: a {@link TokenBucket} for the rate, plus a count of
 * refusals in a 10-second window, so a client that ignores {@code rate_limited} and keeps flooding is told
 * apart from one that merely bursts, and can be closed with 4029.
 */
public final class CommandBudget {
    private static final long WINDOW_NANOS = 10_000_000_000L;

    /** What to do with one command. */
    public enum Verdict {
        /** Run it. */
        ALLOWED,
        /** Refuse it with {@code rate_limited}. */
        LIMITED,
        /** Close the connection: it keeps flooding. */
        FLOODING
    }

    private final TokenBucket bucket;
    private final int floodLimit;
    private long windowStart = System.nanoTime();
    private int refused;

    public CommandBudget(int ratePerSecond, int burst, int floodLimit) {
        this.bucket = new TokenBucket(ratePerSecond, burst);
        this.floodLimit = floodLimit;
    }

    public synchronized Verdict take() {
        if (bucket.tryTake()) {
            return Verdict.ALLOWED;
        }
        long now = System.nanoTime();
        if (now - windowStart > WINDOW_NANOS) {
            windowStart = now;
            refused = 0;
        }
        return ++refused > floodLimit ? Verdict.FLOODING : Verdict.LIMITED;
    }
}
