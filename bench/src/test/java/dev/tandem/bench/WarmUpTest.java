package dev.tandem.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WarmUpTest {

    /** A JIT clock that advances by the given ms during each round, and the rounds that ran. */
    private static final class Compiling {
        final List<Integer> rounds = new ArrayList<>();
        private final double[] perRound;
        private double millis;

        Compiling(double... perRound) {
            this.perRound = perRound;
        }

        void round(int index) throws InterruptedException {
            rounds.add(index);
            Thread.sleep(100);
            millis += perRound[index];
        }
    }

    @Test
    void repeatsRoundsWhileTheJitTakesAShareAndStopsAtTheFirstQuietOne() throws Exception {
        Compiling jit = new Compiling(90, 40, 2, 0);

        List<Double> shares = WarmUp.untilJitQuiet(() -> jit.millis, 6, jit::round);

        assertThat(jit.rounds).containsExactly(0, 1, 2);
        assertThat(shares).hasSize(3);
        assertThat(shares.get(0)).isGreaterThan(0.5);
        assertThat(shares.get(2)).isLessThan(WarmUp.QUIET_SHARE);
    }

    @Test
    void stopsAtTheLimitWhenTheJitNeverSettles() throws Exception {
        Compiling jit = new Compiling(90, 90, 90, 90);

        List<Double> shares = WarmUp.untilJitQuiet(() -> jit.millis, 2, jit::round);

        assertThat(jit.rounds).containsExactly(0, 1);
        assertThat(WarmUp.describe(shares)).matches("\\d+% \\d+%");
    }
}
