package dev.tandem.bench;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * One channel, N subscribers, one publisher at a fixed rate. Measures deliveries, loss, one-way latency
 * (publisher and subscribers share this process's monotonic clock, stamped into the payload) and the server's
 * CPU time per delivery. Warm-up rounds at the same rate run first, unrecorded, until the JITs have settled.
 */
final class FanoutScenario {
    private static final String CHANNEL = "bench:fanout";

    /**
     * The scenario's parameters.
     *
     * @param subscribers   subscriber connections
     * @param rate          publications per second
     * @param seconds       measured duration
     * @param warmupSeconds unrecorded warm-up round at the same rate
     * @param warmupRounds  most warm-up rounds, repeated while a JIT is still busy ({@link WarmUp})
     * @param payloadBytes  approximate payload size
     */
    record Params(int subscribers, int rate, int seconds, int warmupSeconds, int warmupRounds, int payloadBytes) {
    }

    /**
     * What one run measured.
     *
     * @param server              which server
     * @param params              the parameters
     * @param published           publications sent in the measured period
     * @param expected            published × subscribers
     * @param delivered           deliveries received in the measured period
     * @param deliveriesPerSecond delivered / seconds
     * @param p50Millis           median one-way latency
     * @param p99Millis           99th percentile
     * @param p999Millis          99.9th percentile
     * @param maxMillis           maximum
     * @param cpuMicrosPerDelivery server CPU time (user + system) per delivery
     * @param generatorCpuMicrosPerDelivery the generator's own CPU time per delivery (it shares the machine)
     * @param framesPerWrite      frames each socket write carried on average (Tandem only, else NaN)
     * @param p99MillisBySecond   the p99 of each second of the measured period (and its drain)
     * @param stallMillisBySecond the generator's worst stall in each of those seconds ({@link StallProbe})
     * @param warmupJitShares     each warm-up round's JIT share (the server's, for Tandem, plus the generator's)
     */
    record Result(String server, Params params, long published, long expected, long delivered,
                  double deliveriesPerSecond, double p50Millis, double p99Millis, double p999Millis, double maxMillis,
                  double cpuMicrosPerDelivery, double generatorCpuMicrosPerDelivery, double framesPerWrite,
                  List<Double> p99MillisBySecond,
                  List<Double> stallMillisBySecond, List<Double> warmupJitShares) {
    }

    /** How long the deliveries of a period may take to arrive after its last publication. */
    private static final Duration DRAIN = Duration.ofSeconds(30);

    private FanoutScenario() {
    }

    static Result run(ServerUnderTest server, Generator generator, Params params) throws Exception {
        LatencyTally delivered = new LatencyTally();
        List<LoadClient> subscribers = generator.rampSubscribed(server, 0, params.subscribers(), i -> CHANNEL,
                delivered);
        LoadClient publisher = generator.open(server, params.subscribers(), n -> { }).get(30, TimeUnit.SECONDS);
        try {
            String padding = "x".repeat(Math.max(0, params.payloadBytes() - 40));
            List<Double> warmupJit = WarmUp.untilJitQuiet(WarmUp.serverAndGenerator(server), params.warmupRounds(), round -> {
                long warmup = publish(publisher, server.dialect(), params.rate(), params.warmupSeconds(), padding);
                // Let the warm-up drain completely, so none of it is counted in the measured period.
                delivered.await(warmup * params.subscribers(), DRAIN);
                delivered.reset();
            });

            long cpuBefore = server.cpuNanos();
            long generatorCpuBefore = ProcessCpu.generatorNanos();
            Optional<long[]> writesBefore = server.framesAndWrites();
            LatencyBySecond bySecond = LatencyBySecond.start(delivered);
            long published = publish(publisher, server.dialect(), params.rate(), params.seconds(), padding);
            long expected = published * params.subscribers();
            delivered.await(expected, DRAIN);
            long cpu = server.cpuNanos() - cpuBefore;
            long generatorCpu = ProcessCpu.generatorNanos() - generatorCpuBefore;
            List<Double> p99BySecond = bySecond.stop();
            double framesPerWrite = framesPerWrite(writesBefore, server.framesAndWrites());
            Histogram h = delivered.histogram();
            long got = delivered.count();
            return new Result(server.name(), params, published, expected, got, got / (double) params.seconds(),
                    LatencyTally.millis(h, 50), LatencyTally.millis(h, 99), LatencyTally.millis(h, 99.9),
                    LatencyTally.maxMillis(h), got == 0 ? Double.NaN : cpu / 1000.0 / got,
                    got == 0 ? Double.NaN : generatorCpu / 1000.0 / got, framesPerWrite, p99BySecond,
                    bySecond.stallMillis(), warmupJit);
        } finally {
            publisher.close();
            subscribers.forEach(LoadClient::close);
        }
    }

    private static double framesPerWrite(Optional<long[]> before, Optional<long[]> after) {
        if (before.isEmpty() || after.isEmpty() || after.get()[1] == before.get()[1]) {
            return Double.NaN;
        }
        return (after.get()[0] - before.get()[0]) / (double) (after.get()[1] - before.get()[1]);
    }

    /** Publishes at {@code rate}/s for {@code seconds}, paced against the schedule (no drift); returns the count. */
    private static long publish(LoadClient publisher, Dialect dialect, int rate, int seconds, String padding) {
        return Pace.run((long) rate * seconds, rate, i ->
                publisher.send(dialect.publish(CHANNEL, "{\"t\":" + System.nanoTime() + ",\"p\":\"" + padding + "\"}", 1)));
    }
}
