package dev.tandem.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The building blocks of the limits, on their own. */
class RateLimitUnitsTest {

    @Test
    void aTokenBucketAllowsItsBurstThenRefillsAtItsRate() {
        TokenBucket bucket = new TokenBucket(50, 10);
        int taken = 0;
        while (bucket.tryTake()) {
            taken++;
        }
        assertThat(taken).isBetween(10, 11);
        await().atMost(Duration.ofSeconds(5)).until(bucket::tryTake);
        await().atMost(Duration.ofSeconds(5)).until(bucket::isFull);
    }

    @Test
    void aCommandBudgetTurnsFromLimitedToFloodingAfterTooManyRefusals() {
        CommandBudget budget = new CommandBudget(1, 2, 3);
        assertThat(budget.take()).isEqualTo(CommandBudget.Verdict.ALLOWED);
        assertThat(budget.take()).isEqualTo(CommandBudget.Verdict.ALLOWED);
        assertThat(budget.take()).isEqualTo(CommandBudget.Verdict.LIMITED);
        assertThat(budget.take()).isEqualTo(CommandBudget.Verdict.LIMITED);
        assertThat(budget.take()).isEqualTo(CommandBudget.Verdict.LIMITED);
        assertThat(budget.take()).isEqualTo(CommandBudget.Verdict.FLOODING);
    }

    @Test
    void keyedLimitersKeepKeysApartAndForgetQuietOnes() {
        KeyedRateLimiter limiter = new KeyedRateLimiter(1000, 1);
        assertThat(limiter.tryTake("a")).isTrue();
        assertThat(limiter.tryTake("b")).isTrue();
        assertThat(limiter.size()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            limiter.sweep();
            assertThat(limiter.size()).isZero();
        });
    }

    @Test
    void theHostOfARemoteAddressIsFoundForIpv4AndIpv6() {
        assertThat(ConnectionLimits.hostOf("/203.0.113.9:51234")).isEqualTo("203.0.113.9");
        assertThat(ConnectionLimits.hostOf("/[0:0:0:0:0:0:0:1]:8080")).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(ConnectionLimits.hostOf("0:0:0:0:0:0:0:1")).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(ConnectionLimits.hostOf(null)).isEqualTo("unknown");
    }

    @Test
    void loopbackIsExemptFromAddressLimitsOnlyInDevMode() {
        assertThat(ConnectionLimits.exempt(true, "127.0.0.1")).isTrue();
        assertThat(ConnectionLimits.exempt(false, "127.0.0.1")).isFalse();
        assertThat(ConnectionLimits.exempt(true, "203.0.113.9")).isFalse();
    }
}
