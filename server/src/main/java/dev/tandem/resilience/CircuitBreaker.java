package dev.tandem.resilience;

import dev.tandem.config.BreakerConfig;
import dev.tandem.ops.HealthCheck;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A circuit breaker around one dependency (the store in {@code GuardedStore}, Redis in {@code RedisConnection}),
 * so that a dependency that is down or crawling costs callers a fast {@code unavailable} instead of a pile-up of
 * waiting work on its threads.
 *
 * <p>Design. {@code CLOSED}: calls go through; {@code failureThreshold} failures in a row (a failure is an
 * error the caller's predicate calls a dependency failure, or a call slower than {@code slowCall}) open it.
 * {@code OPEN}: calls are refused at once with {@code unavailable} and a retry-after hint of the time left.
 * After {@code openFor} the next call is let through as the one probe ({@code HALF_OPEN}; others are still
 * refused while it runs): its success closes the breaker, its failure opens it for another {@code openFor}.
 * A late result of a call admitted before the breaker opened never closes it; only the probe does. State
 * changes are rare and take the monitor; the closed fast path reads one volatile.
 *
 * <p>The breaker is also a readiness check (down while not closed) and reports its state and refusals through
 * a {@link Listener}.
 */
public final class CircuitBreaker implements HealthCheck {
    /** Breaker states; {@link #code} is the value of the {@code tandem_circuit_state} gauge. */
    public enum State {
        CLOSED(0), HALF_OPEN(1), OPEN(2);

        private final int code;

        State(int code) {
            this.code = code;
        }

        public int code() {
            return code;
        }
    }

    /** Where a breaker reports what it does (metrics). */
    public interface Listener {
        void opened(String breaker);

        void rejected(String breaker);

        Listener NONE = new Listener() {
            @Override
            public void opened(String breaker) {
            }

            @Override
            public void rejected(String breaker) {
            }
        };
    }

    private final String name;
    private final int failureThreshold;
    private final long slowCallNanos;
    private final long openForNanos;
    private final LongSupplier nanoTime;
    private final Listener listener;
    private volatile State state = State.CLOSED;
    private int consecutiveFailures;
    private long openedAt;
    private boolean probing;
    private String lastFailure;

    public CircuitBreaker(String name, BreakerConfig config, Listener listener) {
        this(name, config, listener, System::nanoTime);
    }

    CircuitBreaker(String name, BreakerConfig config, Listener listener, LongSupplier nanoTime) {
        this.name = name;
        this.failureThreshold = config.failureThreshold();
        this.slowCallNanos = config.slowCall().toNanos();
        this.openForNanos = config.openFor().toNanos();
        this.nanoTime = nanoTime;
        this.listener = listener;
    }

    @Override
    public String name() {
        return name;
    }

    public State state() {
        return state;
    }

    /**
     * Runs {@code work} if the breaker admits it, else returns a future already failed with {@code unavailable}.
     * The outcome feeds the breaker: {@code isFailure} says which errors are the dependency's fault (a refusal
     * such as {@code not_found} or a full queue is not).
     */
    public <T> CompletableFuture<T> call(Supplier<CompletableFuture<T>> work, Predicate<Throwable> isFailure) {
        Boolean probe = admit();
        if (probe == null) {
            listener.rejected(name);
            return CompletableFuture.failedFuture(refusal());
        }
        long start = nanoTime.getAsLong();
        CompletableFuture<T> result;
        try {
            result = work.get();
        } catch (RuntimeException e) {
            record(probe, isFailure.test(e), start, e);
            throw e;
        }
        result.whenComplete((value, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            record(probe, cause != null && isFailure.test(cause), start, cause);
        });
        return result;
    }

    /** Null when refused, else whether the admitted call is the half-open probe. */
    private Boolean admit() {
        if (state == State.CLOSED) {
            return Boolean.FALSE;
        }
        synchronized (this) {
            if (state == State.CLOSED) {
                return Boolean.FALSE;
            }
            if (state == State.OPEN && nanoTime.getAsLong() - openedAt >= openForNanos) {
                state = State.HALF_OPEN;
            }
            if (state == State.HALF_OPEN && !probing) {
                probing = true;
                return Boolean.TRUE;
            }
            return null;
        }
    }

    private void record(boolean probe, boolean failed, long start, Throwable error) {
        long elapsed = nanoTime.getAsLong() - start;
        boolean slow = elapsed > slowCallNanos;
        synchronized (this) {
            if (failed || slow) {
                lastFailure = slow && !failed ? "slow call (" + Duration.ofNanos(elapsed).toMillis() + " ms)"
                        : String.valueOf(error == null ? null : error.getMessage());
            }
            if (probe) {
                probing = false;
                if (failed || slow) {
                    open();
                } else {
                    state = State.CLOSED;
                    consecutiveFailures = 0;
                }
                return;
            }
            if (state != State.CLOSED) {
                return;
            }
            consecutiveFailures = failed || slow ? consecutiveFailures + 1 : 0;
            if (consecutiveFailures >= failureThreshold) {
                open();
            }
        }
    }

    private void open() {
        state = State.OPEN;
        openedAt = nanoTime.getAsLong();
        consecutiveFailures = 0;
        listener.opened(name);
    }

    /** How long a refused caller should wait before trying again: what is left of the open period, at least 1 s. */
    public synchronized Duration retryAfter() {
        long left = state == State.OPEN ? openForNanos - (nanoTime.getAsLong() - openedAt) : 0;
        return Duration.ofSeconds(Math.max(1, (left + 999_999_999L) / 1_000_000_000L));
    }

    private ProtocolException refusal() {
        Duration retryAfter = retryAfter();
        return new ProtocolException(ErrorCode.UNAVAILABLE,
                name + " is unavailable (circuit open); retry after " + retryAfter.toSeconds() + " s", retryAfter);
    }

    /** Down while the breaker is open or probing, with the last failure as the detail. */
    @Override
    public Result check() {
        State current = state;
        if (current == State.CLOSED) {
            return Result.healthy();
        }
        synchronized (this) {
            return Result.down("circuit " + current.name().toLowerCase(Locale.ROOT) + ": " + lastFailure);
        }
    }
}
