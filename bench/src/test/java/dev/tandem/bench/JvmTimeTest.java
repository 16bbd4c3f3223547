package dev.tandem.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class JvmTimeTest {

    private static final String SCRAPE = """
            # HELP jvm_gc_pause_seconds Time spent in GC pause
            jvm_gc_pause_seconds_count{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 3
            jvm_gc_pause_seconds_sum{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 0.025
            jvm_gc_pause_seconds_max{action="end of minor GC",cause="G1 Evacuation Pause",gc="G1 Young Generation"} 0.012
            jvm_gc_pause_seconds_sum{action="end of minor GC",cause="Metadata GC Threshold",gc="G1 Young Generation"} 0.011
            jvm_compilation_time_ms_total{compiler="HotSpot 64-Bit Tiered Compilers"} 2400.0
            tandem_frames_out_total 12.0
            """;

    @Test
    void sumsThePauseSeriesOfEveryCauseAndTheCompileTime() {
        JvmTime time = JvmTime.parse(SCRAPE);

        assertThat(time.gcPauseMillis()).isCloseTo(36.0, within(1e-9));
        assertThat(time.jitMillis()).isEqualTo(2400.0);
    }

    @Test
    void sinceIsWhatWasSpentBetweenTwoReadings() {
        JvmTime later = new JvmTime(50, 2500);

        JvmTime spent = later.since(JvmTime.parse(SCRAPE));

        assertThat(spent.gcPauseMillis()).isCloseTo(14.0, within(1e-9));
        assertThat(spent.jitMillis()).isEqualTo(100.0);
    }

    @Test
    void aServerWithoutJvmMetersReadsAsNothingSpent() {
        assertThat(JvmTime.parse("tandem_frames_out_total 12.0\n")).isEqualTo(new JvmTime(0, 0));
    }
}
