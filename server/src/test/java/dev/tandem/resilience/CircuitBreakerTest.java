package dev.tandem.resilience;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.config.BreakerConfig;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The breaker's state machine, driven by a clock the test moves. */
class CircuitBreakerTest {
    private final AtomicLong now = new AtomicLong();
    private final AtomicInteger opened = new AtomicInteger();
    private final AtomicInteger rejected = new AtomicInteger();
    private final CircuitBreaker breaker = new CircuitBreaker("db",
            new BreakerConfig(3, Duration.ofMillis(500), Duration.ofSeconds(2)), new CircuitBreaker.Listener() {
                @Override
                public void opened(String name) {
                    opened.incrementAndGet();
                }

                @Override
                public void rejected(String name) {
                    rejected.incrementAndGet();
                }
            }, now::get);

    @Test
    void consecutiveFailuresOpenItAndAnOpenBreakerRefusesWithoutCallingWithARetryHint() {
        fail(3);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<Object> refused = breaker.call(() -> {
            calls.incrementAndGet();
            return CompletableFuture.completedFuture(null);
        }, e -> true);
        assertThat(calls).hasValue(0);
        ProtocolException e = (ProtocolException) refused.handle((v, error) -> error).join();
        assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
        assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(2));
        assertThat(rejected).hasValue(1);
        assertThat(opened).hasValue(1);
        assertThat(breaker.check().up()).isFalse();
    }

    @Test
    void aSuccessInBetweenResetsTheCountAndRefusalsAreNotFailures() {
        fail(2);
        succeed();
        fail(2);
        breaker.call(() -> CompletableFuture.failedFuture(new ProtocolException(ErrorCode.NOT_FOUND, "no")),
                e -> !(e instanceof ProtocolException));
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        assertThat(breaker.check().up()).isTrue();
    }

    @Test
    void slowCallsCountAsFailures() {
        for (int i = 0; i < 3; i++) {
            breaker.call(() -> {
                now.addAndGet(Duration.ofMillis(600).toNanos());
                return CompletableFuture.completedFuture(null);
            }, e -> true);
        }
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(breaker.check().detail()).contains("slow call");
    }

    @Test
    void afterTheCoolDownOneProbeGoesThroughAndItsOutcomeClosesOrReopens() {
        fail(3);
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        CompletableFuture<Object> probe = new CompletableFuture<>();
        breaker.call(() -> probe, e -> true);
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.HALF_OPEN);
        assertThat(breaker.call(() -> CompletableFuture.completedFuture(null), e -> true)).isCompletedExceptionally();
        probe.completeExceptionally(new SQLException("still down"));
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
        assertThat(opened).hasValue(2);

        now.addAndGet(Duration.ofSeconds(2).toNanos());
        succeed();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
        succeed();
        assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.CLOSED);
    }

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            breaker.call(() -> CompletableFuture.failedFuture(new SQLException("down")), e -> true);
        }
    }

    private void succeed() {
        breaker.call(() -> CompletableFuture.completedFuture(null), e -> true);
    }
}
