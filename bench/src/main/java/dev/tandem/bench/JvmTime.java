package dev.tandem.bench;

/**
 * Time a Tandem server's JVM spent on itself rather than on the load: garbage-collection pauses (every event loop
 * stopped) and JIT compilation (a compiler thread taking a core), read from its {@code /metrics}. A step's
 * difference tells whether its latency tail had the collector or a still-compiling server behind it.
 *
 * @param gcPauseMillis total of the collector's pauses so far
 * @param jitMillis     total time the JIT compilers have spent so far
 */
record JvmTime(double gcPauseMillis, double jitMillis) {

    /** What was spent between {@code earlier} and this reading. */
    JvmTime since(JvmTime earlier) {
        return new JvmTime(gcPauseMillis - earlier.gcPauseMillis, jitMillis - earlier.jitMillis);
    }

    /** Sums the pause and compile-time series of a Prometheus scrape. */
    static JvmTime parse(String scrape) {
        double gcSeconds = 0;
        double jitMillis = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith("jvm_gc_pause_seconds_sum{")) {
                gcSeconds += ServerUnderTest.sampleValue(line);
            } else if (line.startsWith("jvm_compilation_time_ms_total")) {
                jitMillis += ServerUnderTest.sampleValue(line);
            }
        }
        return new JvmTime(gcSeconds * 1000, jitMillis);
    }
}
