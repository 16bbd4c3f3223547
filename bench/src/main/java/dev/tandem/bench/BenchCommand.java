package dev.tandem.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.tandem.config.TransportsConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
        subcommands = {BenchCommand.Documents.class, BenchCommand.Fanout.class, BenchCommand.Connections.class, BenchCommand.Channels.class,
                BenchCommand.Churn.class, BenchCommand.ReconnectStorm.class,
                BenchCommand.Presence.class, BenchCommand.Durable.class,
                BenchCommand.Entities.class, BenchCommand.Cluster.class, BenchCommand.Machine.class})
public final class BenchCommand {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Most warm-up rounds a scenario runs waiting for the server's JIT to settle ({@link WarmUp}). */
    private static final int MAX_WARMUP_ROUNDS = 6;

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

        @Option(names = "--generator-io", defaultValue = "epoll",
                description = "the generator's socket I/O engine: epoll, io_uring or nio (default: ${DEFAULT-VALUE})")
        TransportsConfig.Io generatorIo;

        @Option(names = "--json", description = "write results to this file (default bench/results/SCENARIO.json)")
        Path json;

        Generator generator() {
            return new Generator(threads, generatorIo);
        }

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
            writeResults(json, scenario, results);
        }
    }

    /** Writes a scenario's results as JSON to {@code json}, or to {@code bench/results/SCENARIO.json} when null. */
    static void writeResults(Path json, String scenario, Object results) throws Exception {
        Path file = json != null ? json : Path.of("bench", "results", scenario + ".json");
        Files.createDirectories(file.toAbsolutePath().getParent());
        JSON.writeValue(file.toFile(), results);
        System.out.println("results: " + file);
    }

    @Command(name = "fanout", mixinStandardHelpOptions = true, description = "One channel, N subscribers, a publisher at a fixed rate.")
    static final class Fanout implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--subscribers", defaultValue = "1000")
        int subscribers;

        @Option(names = "--rate", defaultValue = "30", split = ",",
                description = "publications per second; a list (1000,2000,5000) sweeps rates on one server and "
                        + "reports the highest deliveries/s with p99 under 50 ms")
        List<Integer> rates;

        @Option(names = "--duration", defaultValue = "10", description = "measured seconds")
        int seconds;

        @Option(names = "--warmup", defaultValue = "10",
                description = "unrecorded seconds at the same rate first, repeated while the server's or the "
                        + "generator's JIT compiled for 5 %% of it or more (at most " + MAX_WARMUP_ROUNDS + " rounds)")
        int warmup;

        @Option(names = "--payload", defaultValue = "100", description = "payload bytes")
        int payload;

        @Override
        public Integer call() throws Exception {
            List<FanoutScenario.Result> results = new ArrayList<>();
            for (String target : common.targets()) {
                try (ServerUnderTest server = common.start(target); Generator generator = common.generator()) {
                    for (int rate : rates) {
                        results.add(FanoutScenario.run(server, generator,
                                new FanoutScenario.Params(subscribers, rate, seconds, warmup, MAX_WARMUP_ROUNDS, payload)));
                    }
                }
            }
            System.out.printf("fanout: %d subscribers, %d-byte payloads, %d s per step%n", subscribers, payload, seconds);
            for (FanoutScenario.Result r : results) {
                System.out.printf("%s at %d/s warm-up: %d x %d s, JIT share per round %s%n", r.server(),
                        r.params().rate(), r.warmupJitShares().size(), warmup, WarmUp.describe(r.warmupJitShares()));
            }
            System.out.printf("%-10s %8s %10s %10s %12s %9s %9s %9s %9s %12s %10s %8s %16s %9s%n", "server",
                    "msg/s", "expected", "delivered", "deliveries/s", "p50 ms", "p99 ms", "p99.9 ms", "max ms",
                    "cpu us/dlv", "gen us/dlv", "frm/wr", "p99/s med / max", "stall ms");
            for (FanoutScenario.Result r : results) {
                System.out.printf("%-10s %8d %10d %10d %12.0f %9.2f %9.2f %9.2f %9.2f %12.2f %10.2f %8.2f %7.2f / %6.2f %9.1f%n",
                        r.server(), r.params().rate(), r.expected(), r.delivered(), r.deliveriesPerSecond(),
                        r.p50Millis(), r.p99Millis(), r.p999Millis(), r.maxMillis(), r.cpuMicrosPerDelivery(),
                        r.generatorCpuMicrosPerDelivery(), r.framesPerWrite(), LatencyBySecond.median(r.p99MillisBySecond()),
                        LatencyBySecond.max(r.p99MillisBySecond()), LatencyBySecond.max(r.stallMillisBySecond()));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("scenario", "fanout");
            out.put("results", results);
            Map<String, Double> best = new LinkedHashMap<>();
            for (FanoutScenario.Result r : results) {
                if (r.p99Millis() < 50 && r.delivered() >= r.expected()) {
                    best.merge(r.server(), r.deliveriesPerSecond(), Math::max);
                }
            }
            out.put("maxDeliveriesPerSecondWithP99Under50ms", best);
            best.forEach((server, rate) -> System.out.printf("%s: max %.0f deliveries/s with p99 < 50 ms%n", server, rate));
            if (common.targets().size() == 2 && rates.size() == 1) {
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
                try (ServerUnderTest server = common.start(target); Generator generator = common.generator()) {
                    results.add(ConnectionsScenario.run(server, generator, count));
                }
            }
            System.out.printf("connections: %d idle connections, one subscription each%n", count);
            System.out.printf("%-10s %10s %14s %20s %14s%n", "server", "ramp s", "RSS B/conn", "RSS B/conn 2nd half",
                    "heap B/conn");
            for (ConnectionsScenario.Result r : results) {
                System.out.printf("%-10s %10.2f %14.0f %20.0f %14s%n", r.server(), r.rampSeconds(),
                        r.rssBytesPerConnection(), r.marginalRssBytesPerConnection(),
                        r.heapBytesPerConnection() < 0 ? "-" : String.format("%.0f", r.heapBytesPerConnection()));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("scenario", "connections");
            out.put("results", results);
            if (results.size() == 2) {
                double ratio = results.get(0).rssBytesPerConnection() / results.get(1).rssBytesPerConnection();
                double marginal = results.get(0).marginalRssBytesPerConnection()
                        / results.get(1).marginalRssBytesPerConnection();
                out.put("ratiosTandemToPeer", Map.of("rssPerConnection", ratio, "marginalRssPerConnection", marginal));
                System.out.printf("ratio tandem/socket.io: RSS per connection %.2f, second half %.2f%n", ratio, marginal);
            }
            common.write("connections", out);
            return 0;
        }
    }

    @Command(name = "channels", mixinStandardHelpOptions = true, description = "Many channels, few subscribers each, random publishes.")
    static final class Channels implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--channels", defaultValue = "10000")
        int channels;

        @Option(names = "--connections", defaultValue = "10000")
        int connections;

        @Option(names = "--per-connection", defaultValue = "5", description = "channels per connection")
        int perConnection;

        @Option(names = "--rate", defaultValue = "2000", description = "publications per second")
        int rate;

        @Option(names = "--duration", defaultValue = "10")
        int seconds;

        @Override
        public Integer call() throws Exception {
            ChannelsScenario.Params params = new ChannelsScenario.Params(channels, connections, perConnection, rate, seconds);
            List<ChannelsScenario.Result> results = new ArrayList<>();
            for (String target : common.targets()) {
                try (ServerUnderTest server = common.start(target); Generator generator = common.generator()) {
                    ChannelsScenario.run(server, generator, new ChannelsScenario.Params(channels, connections,
                            perConnection, rate, Math.min(3, seconds)));
                    results.add(ChannelsScenario.run(server, generator, params));
                }
            }
            System.out.printf("channels: %d channels, %d connections x %d channels, %d msg/s for %d s%n", channels,
                    connections, perConnection, rate, seconds);
            System.out.printf("%-10s %10s %10s %9s %9s %12s%n", "server", "published", "delivered", "p50 ms", "p99 ms", "cpu us/dlv");
            for (ChannelsScenario.Result r : results) {
                System.out.printf("%-10s %10d %10d %9.2f %9.2f %12.2f%n", r.server(), r.published(), r.delivered(),
                        r.p50Millis(), r.p99Millis(), r.cpuMicrosPerDelivery());
            }
            System.out.println("(each server ran an unrecorded warm-up of the same scenario first)");
            common.write("channels", Map.of("scenario", "channels", "results", results));
            return 0;
        }
    }

    @Command(name = "churn", mixinStandardHelpOptions = true, description = "Connect, subscribe, disconnect in a loop.")
    static final class Churn implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--workers", defaultValue = "16")
        int workers;

        @Option(names = "--duration", defaultValue = "10")
        int seconds;

        @Option(names = "--warmup", defaultValue = "10",
                description = "unrecorded seconds of churn first, repeated while the server's or the generator's JIT "
                        + "compiled for 5 %% of it or more (at most " + MAX_WARMUP_ROUNDS + " rounds)")
        int warmup;

        @Override
        public Integer call() throws Exception {
            List<ChurnScenario.Result> results = new ArrayList<>();
            Map<String, List<Double>> warmupJit = new LinkedHashMap<>();
            for (String target : common.targets()) {
                try (ServerUnderTest server = common.start(target); Generator generator = common.generator()) {
                    warmupJit.put(server.name(), WarmUp.untilJitQuiet(WarmUp.serverAndGenerator(server),
                            MAX_WARMUP_ROUNDS, i -> ChurnScenario.run(server, generator, workers, warmup)));
                    results.add(ChurnScenario.run(server, generator, workers, seconds));
                }
            }
            System.out.printf("churn: %d workers connect/subscribe/disconnect for %d s%n", workers, seconds);
            warmupJit.forEach((server, shares) -> System.out.printf("%s warm-up: %d x %d s, JIT share per round %s%n",
                    server, shares.size(), warmup, WarmUp.describe(shares)));
            System.out.printf("%-10s %10s %12s %14s%n", "server", "cycles", "cycles/s", "cpu us/cycle");
            for (ChurnScenario.Result r : results) {
                System.out.printf("%-10s %10d %12.0f %14.1f%n", r.server(), r.cycles(), r.cyclesPerSecond(), r.cpuMicrosPerCycle());
            }
            common.write("churn", Map.of("scenario", "churn", "results", results, "warmupJitShares", warmupJit));
            return 0;
        }
    }

    @Command(name = "machine", mixinStandardHelpOptions = true,
            description = "No server: how much of the time this machine does not run a spinning thread per CPU.")
    static final class Machine implements Callable<Integer> {
        @Option(names = "--threads", description = "spinning threads (default: one per CPU)")
        Integer threads;

        @Option(names = "--duration", defaultValue = "30")
        int seconds;

        @Option(names = "--json", description = "write results to this file (default bench/results/machine.json)")
        Path json;

        @Override
        public Integer call() throws Exception {
            int spinners = threads != null ? threads : Runtime.getRuntime().availableProcessors();
            List<MachineScenario.Spinner> results = MachineScenario.run(spinners, seconds);
            System.out.printf("machine: %d spinning threads for %d s, gaps over 2 ms between clock readings%n",
                    spinners, seconds);
            System.out.printf("%-8s %8s %10s %10s%n", "thread", "gaps", "lost %", "worst ms");
            for (MachineScenario.Spinner r : results) {
                System.out.printf("%-8d %8d %10.2f %10.1f%n", r.thread(), r.gaps(), r.lostPercent(), r.worstMillis());
            }
            writeResults(json, "machine", Map.of("scenario", "machine", "seconds", seconds, "results", results));
            return 0;
        }
    }

    @Command(name = "reconnect-storm", mixinStandardHelpOptions = true,
            description = "N clients drop at once, miss M publications per channel, and all resume with since.")
    static final class ReconnectStorm implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--clients", defaultValue = "10000")
        int clients;

        @Option(names = "--channels", defaultValue = "100")
        int channels;

        @Option(names = "--missed", defaultValue = "20", description = "publications per channel while away")
        int missed;

        @Override
        public Integer call() throws Exception {
            ReconnectStormScenario.Result r;
            try (ServerUnderTest server = common.start("tandem"); Generator generator = common.generator()) {
                r = ReconnectStormScenario.run(server, generator, clients, channels, missed);
            }
            System.out.printf("reconnect-storm: %d clients on %d channels, %d missed per channel (tandem only)%n",
                    clients, channels, missed);
            System.out.printf("recovered %d/%d subscriptions, %d/%d missed publications delivered, all in %.2f s%n",
                    r.recovered(), r.clients(), r.delivered(), r.expected(), r.secondsToRecover());
            common.write("reconnect-storm", Map.of("scenario", "reconnect-storm", "result", r));
            return 0;
        }
    }

    @Command(name = "presence", mixinStandardHelpOptions = true,
            description = "Presence churn (users join and leave one channel under watchers) and cursor updates; Tandem only.")
    static final class Presence implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--watchers", defaultValue = "1000")
        int watchers;

        @Option(names = "--users", defaultValue = "5000", description = "users that join and leave")
        int users;

        @Option(names = "--join-rate", defaultValue = "250", description = "arrivals per second")
        int joinRate;

        @Option(names = "--dwell", defaultValue = "2000", description = "ms each user stays")
        int dwell;

        @Option(names = "--cursor-users", defaultValue = "100")
        int cursorUsers;

        @Option(names = "--cursor-rate", defaultValue = "20", description = "updates per second per cursor user")
        int cursorRate;

        @Option(names = "--duration", defaultValue = "10", description = "measured seconds of cursor updates")
        int seconds;

        @Option(names = "--warmup", defaultValue = "10", description = "unrecorded seconds before each phase; the "
                + "churn's warm-up is repeated while the server's JIT compiled for 5 %% of it or more (at most "
                + MAX_WARMUP_ROUNDS + " rounds)")
        int warmup;

        @Option(names = "--sync-limit", defaultValue = "1000", split = ",",
                description = "the server's presence syncLimit (above it the churn channel is in stats mode); a list "
                        + "(100000,100) runs the scenario once per value, each on a fresh server, back to back")
        List<Integer> syncLimits;

        @Override
        public Integer call() throws Exception {
            PresenceScenario.Params params = new PresenceScenario.Params(watchers, users, joinRate, dwell, cursorUsers,
                    cursorRate, seconds, warmup);
            List<PresenceScenario.Result> results = new ArrayList<>();
            for (int syncLimit : syncLimits) {
                Map<String, String> env = Map.of("TANDEM_NAMESPACES_DEFAULT_PRESENCE_SYNC_LIMIT", String.valueOf(syncLimit));
                try (ServerUnderTest server = ServerUnderTest.tandem(common.serverJar, common.serverJvm, env);
                     Generator generator = common.generator()) {
                    PresenceScenario.Result r = PresenceScenario.run(server, generator, params, syncLimit,
                            MAX_WARMUP_ROUNDS);
                    print(r);
                    results.add(r);
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("scenario", "presence");
            out.put("results", results);
            common.write("presence", out);
            return 0;
        }

        private void print(PresenceScenario.Result r) {
            PresenceScenario.Watched w = r.watched();
            System.out.printf("presence churn (syncLimit %d): %d users join+leave at %d/s (dwell %d ms) under %d watchers%s"
                    + "; warm-up %d x %d s, server JIT share per round %s%n", r.syncLimit(), users, joinRate, dwell,
                    watchers, r.failedUsers() == 0 ? "" : " (" + r.failedUsers() + " could not connect)",
                    r.warmupJitShares().size(), warmup, WarmUp.describe(r.warmupJitShares()));
            System.out.printf("  joins %d of %d, p50 %.2f ms, p99 %.2f ms (p99/s med %.2f / max %.2f, generator stall max %.1f), max %.2f ms;"
                    + " leaves %d, p99 %.2f ms; %d presence:diff frames carried some of them%n",
                    w.joins(), (long) users * watchers, w.joinP50Millis(), w.joinP99Millis(),
                    LatencyBySecond.median(w.joinP99MillisBySecond()), LatencyBySecond.max(w.joinP99MillisBySecond()),
                    LatencyBySecond.max(w.stallMillisBySecond()), w.joinMaxMillis(), w.leaves(), w.leaveP99Millis(), w.diffs());
            System.out.printf("  stats %d (%.1f per watcher), p50 %.2f ms, p99 %.2f ms; member lists %d; members after %d;"
                    + " server cpu %.0f us per join+leave (GC pauses %.0f ms, JIT %.0f ms)%n", w.stats(),
                    watchers == 0 ? 0.0 : (double) w.stats() / watchers, w.statsP50Millis(), w.statsP99Millis(), w.syncs(),
                    r.membersAfter(), r.cpuMicrosPerJoinLeave(), r.churnServerJvm().gcPauseMillis(),
                    r.churnServerJvm().jitMillis());
            System.out.printf("presence cursors: %d users x %d updates/s for %d s%n", cursorUsers, cursorRate, seconds);
            System.out.printf("  sent %d, delivered %d (%d presence:diff frames carried some), p50 %.2f ms, p99 %.2f ms,"
                    + " max %.2f ms; server cpu %.1f us per update%n",
                    r.cursorUpdatesSent(), r.cursorDeliveries(), r.cursorDiffs(), r.cursorP50Millis(), r.cursorP99Millis(),
                    r.cursorMaxMillis(), r.cpuMicrosPerUpdate());
        }
    }

    @Command(name = "durable", mixinStandardHelpOptions = true,
            description = "Durable publish throughput and ack latency on H2 and PostgreSQL, 1/8/64 publishers.")
    static final class Durable implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--store", defaultValue = "both", description = "h2, postgres or both")
        String store;

        @Option(names = "--postgres-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/test")
        String postgresUrl;

        @Option(names = "--publishers", defaultValue = "1,8,64", split = ",")
        List<Integer> publishers;

        @Option(names = "--rate", defaultValue = "5000,20000", split = ",", description = "total publications per second")
        List<Integer> rates;

        @Option(names = "--duration", defaultValue = "10", description = "measured seconds per step")
        int seconds;

        @Option(names = "--warmup", defaultValue = "3", description = "unrecorded seconds before each step")
        int warmup;

        @Option(names = "--server-warmup", defaultValue = "10",
                description = "unrecorded seconds at the first step's load before the first step, repeated while the "
                        + "server's JIT compiled for 5 %% of a round or more (at most " + MAX_WARMUP_ROUNDS + " rounds), "
                        + "so the store path is compiled (default: ${DEFAULT-VALUE}; 0: none)")
        int serverWarmup;

        @Option(names = "--send", defaultValue = "publish",
                description = "publish: publications; message: chat messages (message.send with a clientMsgId, "
                        + "claimed by the store in the same transaction) (default: ${DEFAULT-VALUE})")
        String send;

        @Override
        public Integer call() throws Exception {
            DurableScenario.Send sending = DurableScenario.Send.valueOf(send.toUpperCase(Locale.ROOT));
            List<String> stores = "both".equals(store) ? List.of("h2", "postgres") : List.of(store);
            List<DurableScenario.Result> results = new ArrayList<>();
            Map<String, List<Double>> warmupJit = new LinkedHashMap<>();
            for (String kind : stores) {
                Map<String, String> env = new LinkedHashMap<>();
                // One pipelining publisher gets two frames back per publication (its copy and the ack): at
                // 20,000/s the default 4,096-frame queue is 100 ms of them, and a bench client that loses the
                // CPU for longer would be closed as a slow consumer instead of measured.
                env.put("TANDEM_LIMITS_OUTBOUND_QUEUE_FRAMES", "262144");
                env.put("TANDEM_LIMITS_OUTBOUND_QUEUE_BYTES", "268435456");
                String schema = "tandem_bench_" + Long.toString(System.nanoTime(), 36);
                if ("postgres".equals(kind)) {
                    env.put("TANDEM_STORE_POSTGRES_URL", postgresUrl);
                    env.put("TANDEM_STORE_POSTGRES_SCHEMA", schema);
                }
                try (ServerUnderTest server = ServerUnderTest.tandem(common.serverJar, common.serverJvm, env);
                     Generator generator = common.generator()) {
                    int round = 0;
                    if (serverWarmup > 0) {
                        List<Double> jit = WarmUp.untilJitQuiet(server, MAX_WARMUP_ROUNDS, i -> DurableScenario.run(kind,
                                server, generator, new DurableScenario.Params(publishers.get(0), rates.get(0),
                                        serverWarmup, 0, sending), i));
                        round = jit.size();
                        warmupJit.put(kind, jit);
                        System.out.printf("%s warm-up: %d x %d s, server JIT share per round %s%n", kind, jit.size(),
                                serverWarmup, WarmUp.describe(jit));
                    }
                    for (int p : publishers) {
                        for (int rate : rates) {
                            results.add(DurableScenario.run(kind, server, generator,
                                    new DurableScenario.Params(p, rate, seconds, warmup, sending), round++));
                        }
                    }
                } finally {
                    if ("postgres".equals(kind)) {
                        try (var c = java.sql.DriverManager.getConnection(postgresUrl, "postgres", "");
                             var st = c.createStatement()) {
                            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                        }
                    }
                }
            }
            System.out.printf("durable: %d s per step, %s (ack latency = send -> own committed copy)%n", seconds,
                    sending == DurableScenario.Send.MESSAGE ? "message.send" : "publish");
            System.out.printf("%-9s %10s %8s %10s %12s %9s %9s %9s %11s %16s %7s %7s %9s%n", "store", "publishers",
                    "msg/s", "acked", "acked/s", "p50 ms", "p99 ms", "max ms", "CPU us/msg", "p99/s med / max", "GC ms",
                    "JIT ms", "stall ms");
            for (DurableScenario.Result r : results) {
                System.out.printf("%-9s %10d %8d %10d %12.0f %9.2f %9.2f %9.2f %11.1f %7.2f / %6.2f %7.0f %7.0f %9.1f%n",
                        r.store(), r.params().publishers(), r.params().rate(), r.acknowledged(), r.ackedPerSecond(),
                        r.p50Millis(), r.p99Millis(), r.maxMillis(), r.cpuMicrosPerMessage(),
                        LatencyBySecond.median(r.p99MillisBySecond()), LatencyBySecond.max(r.p99MillisBySecond()),
                        r.serverJvm().gcPauseMillis(), r.serverJvm().jitMillis(),
                        LatencyBySecond.max(r.stallMillisBySecond()));
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("scenario", "durable");
            out.put("warmupJitShares", warmupJit);
            out.put("results", results);
            common.write("durable", out);
            return 0;
        }
    }

    @Command(name = "documents", mixinStandardHelpOptions = true,
            description = "Yjs editors on the y-websocket protocol: update-to-remote latency, CPU and RSS, against Hocuspocus.")
    static final class Documents implements Callable<Integer> {
        @Option(names = "--target", defaultValue = "tandem", description = "tandem, hocuspocus or both (default: ${DEFAULT-VALUE})")
        String target;

        @Option(names = "--server-jar", defaultValue = "server/target/tandem.jar")
        Path serverJar;

        @Option(names = "--server-jvm", split = " ", defaultValue = "-Xms256m -XX:+UseG1GC")
        List<String> serverJvm;

        @Option(names = "--peer-dir", defaultValue = "bench/peers/hocuspocus", description = "Hocuspocus peer directory")
        Path peerDir;

        @Option(names = "--docs", defaultValue = "1,500", split = ",", description = "documents per step (default: ${DEFAULT-VALUE})")
        List<Integer> docs;

        @Option(names = "--editors", defaultValue = "50,5", split = ",", description = "editors per document, one per step")
        List<Integer> editors;

        @Option(names = "--rate", defaultValue = "2", description = "updates per second per editor")
        double rate;

        @Option(names = "--duration", defaultValue = "10", description = "measured seconds per step")
        int seconds;

        @Option(names = "--warmup", defaultValue = "3", description = "unrecorded seconds first")
        int warmup;

        @Option(names = "--history", defaultValue = "10000",
                description = "updates in the long-history document whose load is timed (0: skip)")
        int history;

        @Option(names = "--json", description = "write results to this file (default bench/results/documents.json)")
        Path json;

        /** Tandem unloads idle documents after 1 s here, so the long-history load can be timed cold. */
        private ServerUnderTest start(String which) throws Exception {
            return "tandem".equals(which)
                    ? ServerUnderTest.tandem(serverJar, serverJvm, Map.of("TANDEM_DOCUMENTS_IDLE_UNLOAD", "1s"))
                    : ServerUnderTest.hocuspocus(peerDir);
        }

        @Override
        public Integer call() throws Exception {
            if (docs.size() != editors.size()) {
                throw new CommandLine.ParameterException(new CommandLine(this), "--docs and --editors need as many values");
            }
            List<String> targets = switch (target) {
                case "both" -> List.of("tandem", "hocuspocus");
                case "tandem", "hocuspocus" -> List.of(target);
                default -> throw new CommandLine.ParameterException(new CommandLine(this), "--target: tandem, hocuspocus or both");
            };
            List<DocumentsScenario.Result> results = new ArrayList<>();
            for (int step = 0; step < docs.size(); step++) {
                DocumentsScenario.Params params = new DocumentsScenario.Params(docs.get(step), editors.get(step), rate,
                        seconds, warmup);
                for (String which : targets) {
                    try (ServerUnderTest server = start(which)) {
                        results.add(DocumentsScenario.run(server, params));
                    }
                }
            }
            List<DocumentsScenario.HistoryResult> histories = new ArrayList<>();
            for (String which : history > 0 ? targets : List.<String>of()) {
                try (ServerUnderTest server = start(which)) {
                    histories.add(DocumentsScenario.history(server, history));
                }
            }
            System.out.printf("documents: %.1f updates/s per editor, %d s per step (latency = update -> other editors)%n",
                    rate, seconds);
            System.out.printf("%-10s %6s %8s %9s %10s %9s %9s %11s %10s %12s%n", "server", "docs", "editors", "updates",
                    "remote", "p50 ms", "p99 ms", "CPU us/upd", "RSS MB", "RSS KB/doc");
            for (DocumentsScenario.Result r : results) {
                System.out.printf("%-10s %6d %8d %9d %10d %9.2f %9.2f %11.1f %10.1f %12.1f%n", r.server(),
                        r.params().docs(), r.params().editors(), r.updates(), r.remoteDeliveries(), r.p50Millis(),
                        r.p99Millis(), r.cpuMicrosPerUpdate(), r.rssBytes() / 1e6, r.rssBytesPerDocument() / 1e3);
            }
            if (!histories.isEmpty()) {
                System.out.printf("long history: %d single updates in one document%n", history);
                System.out.printf("%-10s %12s %14s %14s%n", "server", "doc bytes", "warm sync ms", "cold load ms");
                for (DocumentsScenario.HistoryResult h : histories) {
                    System.out.printf("%-10s %12d %14.1f %14s%n", h.server(), h.documentBytes(), h.warmSyncMillis(),
                            h.coldLoadMillis() < 0 ? "-" : String.format("%.1f", h.coldLoadMillis()));
                }
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("scenario", "documents");
            out.put("results", results);
            out.put("history", histories);
            writeResults(json, "documents", out);
            return 0;
        }
    }

    @Command(name = "entities", mixinStandardHelpOptions = true,
            description = "Live-record updates/s and update -> event latency at 100 subscribers, on H2 and PostgreSQL.")
    static final class Entities implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--store", defaultValue = "both", description = "h2, postgres or both")
        String store;

        @Option(names = "--postgres-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/test")
        String postgresUrl;

        @Option(names = "--subscribers", defaultValue = "100")
        int subscribers;

        @Option(names = "--writers", defaultValue = "1,16,64", split = ",", description = "writer connections (one update in flight each)")
        List<Integer> writers;

        @Option(names = "--duration", defaultValue = "10", description = "measured seconds per step")
        int seconds;

        @Option(names = "--warmup", defaultValue = "3", description = "unrecorded seconds before each step")
        int warmup;

        @Override
        public Integer call() throws Exception {
            List<String> stores = "both".equals(store) ? List.of("h2", "postgres") : List.of(store);
            List<EntitiesScenario.Result> results = new ArrayList<>();
            for (String kind : stores) {
                Map<String, String> env = new LinkedHashMap<>();
                // One pipelining publisher gets two frames back per publication (its copy and the ack): at
                // 20,000/s the default 4,096-frame queue is 100 ms of them, and a bench client that loses the
                // CPU for longer would be closed as a slow consumer instead of measured.
                env.put("TANDEM_LIMITS_OUTBOUND_QUEUE_FRAMES", "262144");
                env.put("TANDEM_LIMITS_OUTBOUND_QUEUE_BYTES", "268435456");
                String schema = "tandem_bench_" + Long.toString(System.nanoTime(), 36);
                if ("postgres".equals(kind)) {
                    env.put("TANDEM_STORE_POSTGRES_URL", postgresUrl);
                    env.put("TANDEM_STORE_POSTGRES_SCHEMA", schema);
                }
                try (ServerUnderTest server = ServerUnderTest.tandem(common.serverJar, common.serverJvm, env);
                     Generator generator = common.generator()) {
                    int round = 0;
                    for (int w : writers) {
                        results.add(EntitiesScenario.run(kind, server, generator,
                                new EntitiesScenario.Params(subscribers, w, seconds, warmup), round++));
                    }
                } finally {
                    if ("postgres".equals(kind)) {
                        try (var c = java.sql.DriverManager.getConnection(postgresUrl, "postgres", "");
                             var st = c.createStatement()) {
                            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                        }
                    }
                }
            }
            System.out.printf("entities: %d s per step, %d subscribers (latency = update sent -> event at a subscriber)%n",
                    seconds, subscribers);
            System.out.printf("%-9s %8s %10s %12s %12s %9s %9s %9s%n", "store", "writers", "updates", "updates/s",
                    "events", "p50 ms", "p99 ms", "max ms");
            for (EntitiesScenario.Result r : results) {
                System.out.printf("%-9s %8d %10d %12.0f %12d %9.2f %9.2f %9.2f%n", r.store(), r.params().writers(),
                        r.updates(), r.updatesPerSecond(), r.events(), r.p50Millis(), r.p99Millis(), r.maxMillis());
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("scenario", "entities");
            out.put("results", results);
            common.write("entities", out);
            return 0;
        }
    }

    @Command(name = "cluster", mixinStandardHelpOptions = true,
            description = "Cross-node delivery on a 3-node cluster (local Redis + PostgreSQL) against one node.")
    static final class Cluster implements Callable<Integer> {
        @Mixin
        Common common;

        @Option(names = "--nodes", defaultValue = "3")
        int nodes;

        @Option(names = "--redis-url", defaultValue = "redis://127.0.0.1:6379")
        String redisUrl;

        @Option(names = "--postgres-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/test")
        String postgresUrl;

        @Option(names = "--subscribers", defaultValue = "300", description = "subscriber connections in all")
        int subscribers;

        @Option(names = "--rate", defaultValue = "1000", description = "publications per second")
        int rate;

        @Option(names = "--duration", defaultValue = "10", description = "measured seconds per setup")
        int seconds;

        @Option(names = "--warmup", defaultValue = "3")
        int warmup;

        @Override
        public Integer call() throws Exception {
            ClusterScenario.Params params = new ClusterScenario.Params(subscribers, rate, seconds, warmup);
            List<ClusterScenario.Result> results = new ArrayList<>();
            for (int size : List.of(1, nodes)) {
                String schema = "tandem_bench_" + Long.toString(System.nanoTime(), 36);
                String prefix = schema + ":";
                List<ServerUnderTest> servers = new ArrayList<>();
                try (Generator generator = common.generator()) {
                    for (int n = 0; n < size; n++) {
                        Map<String, String> env = new LinkedHashMap<>();
                        env.put("TANDEM_STORE_POSTGRES_URL", postgresUrl);
                        env.put("TANDEM_STORE_POSTGRES_SCHEMA", schema);
                        if (size > 1) {
                            env.put("TANDEM_CLUSTER_REDIS_URL", redisUrl);
                            env.put("TANDEM_CLUSTER_REDIS_PREFIX", prefix);
                            env.put("TANDEM_CLUSTER_NODE_ID", "bench-" + n);
                        }
                        servers.add(ServerUnderTest.tandem(common.serverJar, common.serverJvm, env));
                    }
                    results.add(ClusterScenario.run(size + (size == 1 ? " node" : " nodes"), servers, generator, params));
                } finally {
                    servers.forEach(ServerUnderTest::close);
                    try (var c = java.sql.DriverManager.getConnection(postgresUrl, "postgres", "");
                         var st = c.createStatement()) {
                        st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
                    }
                }
            }
            System.out.printf("cluster: %d subscribers, %d publications/s from one publisher on the first node, %d s%n",
                    subscribers, rate, seconds);
            System.out.printf("%-8s %14s %14s %14s %14s %14s%n", "setup", "deliveries/s", "local p50 ms",
                    "local p99 ms", "cross p50 ms", "cross p99 ms");
            for (ClusterScenario.Result r : results) {
                System.out.printf("%-8s %14.0f %14.2f %14.2f %14.2f %14.2f%n", r.setup(), r.deliveriesPerSecond(),
                        r.localP50Millis(), r.localP99Millis(), r.crossP50Millis(), r.crossP99Millis());
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("scenario", "cluster");
            out.put("results", results);
            common.write("cluster", out);
            return 0;
        }
    }
}
