package dev.tandem.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Connection churn: W workers each loop connect → subscribe → disconnect for the duration. Measures complete
 * cycles per second and the server's CPU per cycle (handshake, session, subscription, cleanup).
 */
final class ChurnScenario {

    /**
     * Results.
     *
     * @param server            which server
     * @param workers           concurrent workers
     * @param seconds           duration
     * @param cycles            complete connect/subscribe/disconnect cycles
     * @param cyclesPerSecond   cycles / seconds
     * @param cpuMicrosPerCycle server CPU per cycle
     */
    record Result(String server, int workers, int seconds, long cycles, double cyclesPerSecond,
                  double cpuMicrosPerCycle) {
    }

    private ChurnScenario() {
    }

    static Result run(ServerUnderTest server, Generator generator, int workers, int seconds) throws Exception {
        LongAdder cycles = new LongAdder();
        AtomicInteger index = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long cpuBefore = server.cpuNanos();
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        for (int w = 0; w < workers; w++) {
            loops.add(CompletableFuture.runAsync(() -> {
                while (System.nanoTime() < deadline) {
                    int i = index.incrementAndGet();
                    LoadClient client = generator.open(server, i, n -> { })
                            .thenCompose(c -> c.subscribe("bench:churn" + (i % 100))).join();
                    client.close();
                    cycles.increment();
                }
            }, pool));
        }
        try {
            CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(seconds + 60L, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        long cpu = server.cpuNanos() - cpuBefore;
        long done = cycles.sum();
        return new Result(server.name(), workers, seconds, done, done / (double) seconds,
                done == 0 ? Double.NaN : cpu / 1000.0 / done);
    }
}
