package dev.tandem.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyBySecondTest {

    @Test
    void eachSecondGetsThePercentileOfWhatArrivedInItAndQuietSecondsAreLeftOut() throws Exception {
        LatencyTally tally = new LatencyTally();
        tally.delivered(99_000_000);
        LatencyBySecond bySecond = LatencyBySecond.start(tally);
        for (int i = 0; i < 100; i++) {
            tally.delivered(5_000_000);
        }
        Thread.sleep(1500);
        for (int i = 0; i < 100; i++) {
            tally.delivered(50_000_000);
        }
        Thread.sleep(2700);
        List<Double> p99 = bySecond.stop();

        assertThat(p99).hasSize(2);
        assertThat(p99.get(0)).isCloseTo(5.0, within(0.01));
        assertThat(p99.get(1)).isCloseTo(50.0, within(0.1));
        assertThat(tally.count()).isEqualTo(201);
        assertThat(bySecond.stallMillis()).as("one stall per reported second").hasSize(2)
                .allSatisfy(stall -> assertThat(stall).isBetween(0.0, 1000.0));
    }

    @Test
    void medianAndMaxOfTheSeconds() {
        assertThat(LatencyBySecond.median(List.of(9.0, 1.0, 5.0))).isEqualTo(5.0);
        assertThat(LatencyBySecond.max(List.of(9.0, 1.0, 5.0))).isEqualTo(9.0);
        assertThat(LatencyBySecond.median(List.of())).isNaN();
    }
}
