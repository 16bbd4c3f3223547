package dev.tandem.bench;

import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * Warms a run up until the JIT has settled. A fixed warm-up is too short for code that runs a few hundred times a
 * second (a connection's handshake, a presence join): it reaches the optimising compiler's thresholds only tens
 * of seconds in, and a compiler thread then takes a core from the measured load. So a warm-up round is repeated
 * while the JIT (the server's, or whatever {@link JitClock} sums) spent more than {@link #QUIET_SHARE} of it
 * compiling, up to a limit.
 */
final class WarmUp {
    /** The share of a round's wall time below which the JIT counts as settled. */
    static final double QUIET_SHARE = 0.05;

    /** JIT compile time so far, in ms (e.g. the server's {@code server.jvmTime().jitMillis()}). */
    interface JitClock {
        double millis() throws Exception;
    }

    /** One unrecorded round of a scenario's load; {@code index} counts from 0. */
    interface Round {
        void run(int index) throws Exception;
    }

    private WarmUp() {
    }

    /** As {@link #untilJitQuiet(JitClock, int, Round)}, reading the server's own meters. */
    static List<Double> untilJitQuiet(ServerUnderTest server, int maxRounds, Round round) throws Exception {
        return untilJitQuiet(() -> server.jvmTime().jitMillis(), maxRounds, round);
    }

    /**
     * The JIT time of a whole run: the generator's own compilers (they share the cores with the server, and its
     * receive path is still compiling ten seconds in) and, for Tandem, the server's. Socket.IO's V8 has no such
     * meter, so a warm-up against it waits on the generator alone.
     */
    static JitClock serverAndGenerator(ServerUnderTest server) {
        CompilationMXBean generatorJit = ManagementFactory.getCompilationMXBean();
        boolean serverMeters = server.dialect() == Dialect.TANDEM;
        return () -> generatorJit.getTotalCompilationTime() + (serverMeters ? server.jvmTime().jitMillis() : 0);
    }

    /**
     * Runs {@code round} once, then again while the JIT time in the last one was {@link #QUIET_SHARE} of its wall
     * time or more, at most {@code maxRounds} in all. Returns each round's JIT share, in order.
     */
    static List<Double> untilJitQuiet(JitClock jit, int maxRounds, Round round) throws Exception {
        List<Double> shares = new ArrayList<>();
        do {
            double before = jit.millis();
            long start = System.nanoTime();
            round.run(shares.size());
            double wallMillis = Math.max(1e-3, (System.nanoTime() - start) / 1e6);
            shares.add((jit.millis() - before) / wallMillis);
        } while (shares.get(shares.size() - 1) >= QUIET_SHARE && shares.size() < maxRounds);
        return shares;
    }

    /** The shares as percentages for a table line, e.g. {@code "64% 21% 4%"}. */
    static String describe(List<Double> shares) {
        StringBuilder text = new StringBuilder();
        for (double share : shares) {
            text.append(text.length() == 0 ? "" : " ").append(Math.round(share * 100)).append('%');
        }
        return text.toString();
    }
}
