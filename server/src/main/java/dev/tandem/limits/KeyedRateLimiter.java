package dev.tandem.limits;

import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@link TokenBucket} per key (a remote address, a channel), created on first use. {@link #sweep} forgets
 * keys whose bucket has refilled, so the map holds only keys that were busy recently.
 */
public final class KeyedRateLimiter {
    private final int ratePerSecond;
    private final int burst;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    public KeyedRateLimiter(int ratePerSecond, int burst) {
        this.ratePerSecond = ratePerSecond;
        this.burst = burst;
    }

    public boolean tryTake(String key) {
        return buckets.computeIfAbsent(key, k -> new TokenBucket(ratePerSecond, burst)).tryTake();
    }

    /** Drops the buckets of keys that have been quiet; run periodically. */
    public void sweep() {
        buckets.values().removeIf(TokenBucket::isFull);
    }

    int size() {
        return buckets.size();
    }
}
