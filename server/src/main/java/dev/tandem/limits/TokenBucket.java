package dev.tandem.limits;

/**
 * A token bucket: holds up to {@code burst} tokens, refilled at {@code ratePerSecond}; each action takes one.
 * Lets a client send a burst after a quiet spell while bounding its sustained rate. Thread-safe (actions of
 * one connection may arrive on different threads with some transports); uncontended in practice.
 */
public final class TokenBucket {
    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long last;

    public TokenBucket(int ratePerSecond, int burst) {
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.last = System.nanoTime();
    }

    /** Takes a token if there is one. */
    public synchronized boolean tryTake() {
        refill();
        if (tokens < 1) {
            return false;
        }
        tokens -= 1;
        return true;
    }

    /** Takes {@code count} tokens if there are that many, else none. */
    public synchronized boolean tryTake(int count) {
        refill();
        if (tokens < count) {
            return false;
        }
        tokens -= count;
        return true;
    }

    /** Whether the bucket is full again, i.e. its owner has been quiet long enough to be forgotten. */
    public synchronized boolean isFull() {
        refill();
        return tokens >= burst;
    }

    private void refill() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * ratePerNano);
        last = now;
    }
}
