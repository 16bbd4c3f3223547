package dev.tandem.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code tandem bench SCENARIO}: runs a load scenario against Tandem and, with {@code --target both}, against
 * the Socket.IO peer in the same run, prints a table with Tandem/peer ratios and writes the results as JSON.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Load generator: measures Tandem (and a peer server) from outside the process.",
        subcommands = {BenchCommand.Fanout.class, BenchCommand.Connections.class})
public final class BenchCommand {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static void main(String[] args) {
        System.exit(new CommandLine(new BenchCommand()).execute(args));
    }

    /** Options every scenario shares. */
    static final class Common {
        @Option(names = "--target", defaultValue = "tandem", description = "tandem, socketio or both (default: ${DEFAULT-VALUE})")
        String target;

        @Option(names = "--server-jar", defaultValue = "server/target/tandem.jar", description = "Tandem jar to run")
        Path serverJar;

        @Option(names = "--peer-dir", defaultValue = "bench/peers/socketio", description = "Socket.IO peer directory")
        Path peerDir;

        @Option(names = "--server-jvm", split = " ", defaultValue = "-Xms256m -XX:+UseG1GC",
                description = "JVM options for the Tandem server (default: ${DEFAULT-VALUE})")
        List<String> serverJvm;

        @Option(names = "--threads", defaultValue = "2", description = "generator event loop threads")
        int threads;

        @Option(names = "--json", description = "write results to this file (default bench/results/SCENARIO.json)")
        Path json;

        List<String> targets() {
            return switch (target) {
                case "both" -> List.of("tandem", "socketio");
                case "tandem", "socketio" -> List.of(target);
                default -> throw new CommandLine.ParameterException(new CommandLine(this), "--target: tandem, socketio or both");
            };
        }

        ServerUnderTest start(String which) throws Exception {
            return "tandem".equals(which) ? ServerUnderTest.tandem(serverJar, serverJvm) : ServerUnderTest.socketIo(peerDir);
        }

        void write(String scenario, Object results) throws Exception {
            Path file = json != null ? json : Path.of("bench", "results", scenario + ".json");
            Files.createDirectories(file.toAbsolutePath().getParent());
            JSON.writeValue(file.toFile(), results);
            System.out.println("results: " + file);
        }
    }

    @Command(name = "fanout", mixinStandardHelpOptions = true, description = "One channel, N subscribers, a publisher at a fixed rate.")
    static final class Fanout implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--subscribers", defaultValue = "1000")
        int subscribers;

        @Option(names = "--rate", defaultValue = "30", description = "publications per second")
        int rate;

        @Option(names = "--duration", defaultValue = "10", description = "measured seconds")
        int seconds;

        @Option(names = "--warmup", defaultValue = "3", description = "unrecorded seconds first")
        int warmup;

        @Option(names = "--payload", defaultValue = "100", description = "payload bytes")
        int payload;

        @Override
        public Integer call() throws Exception {
            FanoutScenario.Params params = new FanoutScenario.Params(subscribers, rate, seconds, warmup, payload);
            List<FanoutScenario.Result> results = new ArrayList<>();
            for (String target : common.targets()) {
                try (ServerUnderTest server = common.start(target); Generator generator = new Generator(common.threads)) {
                    results.add(FanoutScenario.run(server, generator, params));
                }
            }
            System.out.printf("fanout: %d subscribers x %d msg/s for %d s, %d-byte payloads%n", subscribers, rate, seconds, payload);
            System.out.printf("%-10s %10s %10s %12s %9s %9s %9s %9s %12s%n", "server", "expected", "delivered",
                    "deliveries/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms", "cpu us/dlv");
            for (FanoutScenario.Result r : results) {
                System.out.printf("%-10s %10d %10d %12.0f %9.2f %9.2f %9.2f %9.2f %12.2f%n", r.server(), r.expected(),
                        r.delivered(), r.deliveriesPerSecond(), r.p50Millis(), r.p99Millis(), r.p999Millis(),
                        r.maxMillis(), r.cpuMicrosPerDelivery());
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("scenario", "fanout");
            out.put("results", results);
            if (results.size() == 2) {
                FanoutScenario.Result t = results.get(0);
                FanoutScenario.Result p = results.get(1);
                Map<String, Double> ratios = new LinkedHashMap<>();
                ratios.put("p99", t.p99Millis() / p.p99Millis());
                ratios.put("cpuPerDelivery", t.cpuMicrosPerDelivery() / p.cpuMicrosPerDelivery());
                out.put("ratiosTandemToPeer", ratios);
                System.out.printf("ratios tandem/socket.io: p99 %.2f, cpu per delivery %.2f%n", ratios.get("p99"),
                        ratios.get("cpuPerDelivery"));
            }
            common.write("fanout", out);
            return 0;
        }
    }

    @Command(name = "connections", mixinStandardHelpOptions = true, description = "N idle connections with one subscription each.")
    static final class Connections implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--count", defaultValue = "10000")
        int count;

        @Override
        public Integer call() throws Exception {
            List<ConnectionsScenario.Result> results = new ArrayList<>();
            for (String target : common.targets()) {
                try (ServerUnderTest server = common.start(target); Generator generator = new Generator(common.threads)) {
                    results.add(ConnectionsScenario.run(server, generator, count));
                }
            }
            System.out.printf("connections: %d idle connections, one subscription each%n", count);
            System.out.printf("%-10s %10s %14s %14s%n", "server", "ramp s", "RSS B/conn", "heap B/conn");
            for (ConnectionsScenario.Result r : results) {
                System.out.printf("%-10s %10.2f %14.0f %14s%n", r.server(), r.rampSeconds(), r.rssBytesPerConnection(),
                        r.heapBytesPerConnection() < 0 ? "-" : String.format("%.0f", r.heapBytesPerConnection()));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("scenario", "connections");
            out.put("results", results);
            if (results.size() == 2) {
                double ratio = results.get(0).rssBytesPerConnection() / results.get(1).rssBytesPerConnection();
                out.put("ratiosTandemToPeer", Map.of("rssPerConnection", ratio));
                System.out.printf("ratio tandem/socket.io: RSS per connection %.2f%n", ratio);
            }
            common.write("connections", out);
            return 0;
        }
    }
}
