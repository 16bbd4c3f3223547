package dev.tandem.config;

import java.time.Duration;

/**
 * A circuit breaker around one dependency (the store, Redis): when it opens, calls fail fast with
 * {@code unavailable} instead of piling up on the dependency's threads.
 *
 * @param failureThreshold consecutive failed calls, or calls slower than {@code slowCall}, that open the breaker
 * @param slowCall         a call that takes longer than this counts as a failure even if it succeeds
 * @param openFor          how long an open breaker refuses calls before it lets one probe through (half-open);
 *                         also the {@code Retry-After} hint given to refused callers
 */
public record BreakerConfig(int failureThreshold, Duration slowCall, Duration openFor) {
}
