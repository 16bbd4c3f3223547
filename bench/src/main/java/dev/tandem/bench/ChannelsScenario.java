package dev.tandem.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Many small channels: C channels, connections each subscribed to S random channels (so about S subscribers
 * per channel on average), one publisher publishing to random channels at a fixed rate. Measures what the
 * registry and fanout cost when work is spread thin, where {@link FanoutScenario} measures one hot channel.
 */
final class ChannelsScenario {

    /**
     * Parameters.
     *
     * @param channels            distinct channels
     * @param connections         subscriber connections
     * @param perConnection       channels each connection subscribes to
     * @param rate                publications per second, to random channels
     * @param seconds             measured duration
     */
    record Params(int channels, int connections, int perConnection, int rate, int seconds) {
    }

    /**
     * Results.
     *
     * @param server               which server
     * @param params               parameters
     * @param published            publications in the measured period
     * @param delivered            deliveries received
     * @param p50Millis            median latency
     * @param p99Millis            99th percentile
     * @param cpuMicrosPerDelivery server CPU per delivery
     */
    record Result(String server, Params params, long published, long delivered, double p50Millis, double p99Millis,
                  double cpuMicrosPerDelivery) {
    }

    private ChannelsScenario() {
    }

    static Result run(ServerUnderTest server, Generator generator, Params params) throws Exception {
        LatencyTally delivered = new LatencyTally();
        SplittableRandom random = new SplittableRandom(42);
        List<List<String>> plan = new ArrayList<>();
        for (int i = 0; i < params.connections(); i++) {
            List<String> mine = new ArrayList<>();
            while (mine.size() < params.perConnection()) {
                String channel = "bench:ch" + random.nextInt(params.channels());
                if (!mine.contains(channel)) {
                    mine.add(channel);
                }
            }
            plan.add(mine);
        }
        List<LoadClient> clients = generator.rampSubscribedToMany(server, 0, params.connections(), plan::get,
                delivered);
        LoadClient publisher = generator.open(server, params.connections(), n -> { }).get(30, TimeUnit.SECONDS);
        try {
            long cpuBefore = server.cpuNanos();
            long total = Pace.run((long) params.rate() * params.seconds(), params.rate(), i -> {
                String channel = "bench:ch" + random.nextInt(params.channels());
                publisher.send(server.dialect().publish(channel, "{\"t\":" + System.nanoTime() + ",\"p\":\"x\"}", 1));
            });
            Thread.sleep(2000);
            long cpu = server.cpuNanos() - cpuBefore;
            Histogram h = delivered.histogram();
            long got = delivered.count();
            return new Result(server.name(), params, total, got, LatencyTally.millis(h, 50),
                    LatencyTally.millis(h, 99), got == 0 ? Double.NaN : cpu / 1000.0 / got);
        } finally {
            publisher.close();
            clients.forEach(LoadClient::close);
        }
    }
}
