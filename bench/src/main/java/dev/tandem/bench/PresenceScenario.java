package dev.tandem.bench;

import static dev.tandem.bench.LatencyTally.maxMillis;
import static dev.tandem.bench.LatencyTally.millis;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Presence under load, Tandem only (the Socket.IO peer has no presence). Two phases:
 * <ol>
 *   <li><b>churn</b>: watchers subscribe to one channel; users arrive at a fixed rate, each connecting,
 *       subscribing, joining with a state stamped with the generator's clock, staying a while, leaving and
 *       disconnecting. What the watchers receive depends on the channel's mode (the server's {@code syncLimit}):
 *       below it, one join and one leave per user, each as its own {@code presence:join} / {@code presence:leave}
 *       or, when several fall into one batch window, inside a {@code presence:diff}; above it (stats mode), a
 *       coalesced {@code presence:stats} per interval. Measures the one-way latency of joins (from the generator's
 *       stamp), of leaves and stats (from the server's frame timestamp, same host clock), how many of each arrived,
 *       that the channel is empty at the end (every leave applied), and the server's CPU per join+leave;</li>
 *   <li><b>cursors</b>: users joined in one channel each send {@code presence:update} with a stamped cursor at a
 *       fixed rate. Every user sees the others' updates (coalesced by the server to the namespace's
 *       {@code updateRate}, latest wins, and batched with other users' into {@code presence:diff} per window);
 *       measures their one-way latency and the server's CPU per update sent.</li>
 * </ol>
 * Deliveries are counted per member, frames apart: a diff carries many joins, leaves or updates in one frame.
 * Each phase first runs unrecorded for {@code warmupSeconds} (the churn on a channel of its own), as the other
 * scenarios warm up, so the figures are of a warmed server: a two-second warm-up left C2 compiling a third of
 * the server's CPU into the measured churn.
 */
final class PresenceScenario {
    private static final String CHURN = "bench:presence";
    private static final String CURSORS = "bench:cursors";
    private static final String WARMUP = "bench:warmup";

    /**
     * The scenario's parameters.
     *
     * @param watchers      subscribers of the churn channel that do not join
     * @param users         users arriving (join, dwell, leave) in the churn phase
     * @param joinRate      arrivals per second
     * @param dwellMillis   how long each user stays
     * @param cursorUsers   users sending cursor updates in the cursor phase
     * @param cursorRate    updates per second per cursor user
     * @param cursorSeconds measured duration of the cursor phase
     * @param warmupSeconds unrecorded seconds before each phase
     */
    record Params(int watchers, int users, int joinRate, int dwellMillis, int cursorUsers, int cursorRate,
                  int cursorSeconds, int warmupSeconds) {
    }

    /**
     * What the churn watchers received, all watchers together.
     *
     * @param joins          joins delivered, alone or in a diff (users × watchers when the channel stays below the limit)
     * @param joinP50Millis  median join latency, generator stamp → watcher
     * @param joinP99Millis  99th percentile
     * @param joinMaxMillis  maximum
     * @param joinP99MillisBySecond the join p99 of each second of the churn (a spread tail or a few stalls)
     * @param stallMillisBySecond the generator's worst stall in each of those seconds ({@link StallProbe})
     * @param leaves         leaves delivered, alone or in a diff
     * @param leaveP99Millis 99th percentile of leave latency, server frame timestamp → watcher
     * @param stats          {@code presence:stats} frames (stats mode)
     * @param statsP50Millis median stats latency, server frame timestamp → watcher
     * @param statsP99Millis 99th percentile
     * @param syncs          {@code presence:sync} broadcasts (the member list when the channel left stats mode)
     * @param diffs          {@code presence:diff} frames, which carried some of the joins and leaves above
     */
    record Watched(long joins, double joinP50Millis, double joinP99Millis, double joinMaxMillis,
                   List<Double> joinP99MillisBySecond, List<Double> stallMillisBySecond, long leaves,
                   double leaveP99Millis, long stats, double statsP50Millis, double statsP99Millis, long syncs,
                   long diffs) {
    }

    /**
     * What one run measured.
     *
     * @param params              the parameters
     * @param syncLimit           the server's {@code syncLimit} (the churn channel is in stats mode above it)
     * @param warmupJitShares     the share of each warm-up round the server's JIT spent compiling
     * @param failedUsers         churn users whose connection or subscription failed (they never joined)
     * @param watched             what the watchers received during the churn
     * @param membersAfter        users the server still lists in the churn channel after every leave (expected 0)
     * @param cpuMicrosPerJoinLeave server CPU per user that joined and left (fanout to watchers included)
     * @param churnServerJvm      the server's GC pauses and JIT compile time during the churn
     * @param cursorUpdatesSent   {@code presence:update} frames sent
     * @param cursorDeliveries    updates received by the other cursor users, alone or in a diff
     * @param cursorDiffs         {@code presence:diff} frames received by the cursor users
     * @param cursorP50Millis     median update latency
     * @param cursorP99Millis     99th percentile
     * @param cursorMaxMillis     maximum
     * @param cpuMicrosPerUpdate  server CPU per update sent (coalescing and fanout included)
     */
    record Result(Params params, int syncLimit, List<Double> warmupJitShares, int failedUsers, Watched watched,
                  int membersAfter, double cpuMicrosPerJoinLeave, JvmTime churnServerJvm, long cursorUpdatesSent,
                  long cursorDeliveries, long cursorDiffs, double cursorP50Millis, double cursorP99Millis,
                  double cursorMaxMillis, double cpuMicrosPerUpdate) {
    }

    private PresenceScenario() {
    }

    static Result run(ServerUnderTest server, Generator generator, Params params, int syncLimit, int maxWarmupRounds)
            throws Exception {
        List<Double> warmupJit = warmUp(server, generator, params, maxWarmupRounds);
        WatcherSink sink = new WatcherSink();
        List<LoadClient> watchers = generator.rampSubscribed(server, 0, params.watchers(), i -> CHURN, sink);
        try {
            long cpuBefore = server.cpuNanos();
            JvmTime jvmBefore = server.jvmTime();
            LatencyBySecond joinSeconds = LatencyBySecond.start(sink.joinLatency);
            int failedUsers = churn(server, generator, params, CHURN, params.users(), params.watchers());
            awaitSettled(sink, (long) (params.users() - failedUsers) * params.watchers());
            List<Double> joinP99BySecond = joinSeconds.stop();
            int membersAfter = membersAfter(server);
            long churnCpu = server.cpuNanos() - cpuBefore;
            JvmTime churnJvm = server.jvmTime().since(jvmBefore);
            Watched watched = sink.watched(joinP99BySecond, joinSeconds.stallMillis());

            LatencyTally cursorDeliveries = new LatencyTally();
            LongAdder cursorDiffs = new LongAdder();
            List<LoadClient> cursorUsers = generator.rampSubscribedEach(server, params.watchers() + params.users(),
                    params.cursorUsers(), i -> CURSORS,
                    i -> new CursorSink(FrameText.ascii(Dialect.tandemUser(i)), cursorDeliveries, cursorDiffs));
            try {
                for (LoadClient user : cursorUsers) {
                    user.send(join(CURSORS, "{\"name\":\"cursor\"}"));
                }
                Thread.sleep(500);
                cursors(cursorUsers, params.cursorRate(), params.warmupSeconds());
                Thread.sleep(500);
                cursorDeliveries.reset();
                cursorDiffs.reset();
                long cursorCpuBefore = server.cpuNanos();
                long sent = cursors(cursorUsers, params.cursorRate(), params.cursorSeconds());
                Thread.sleep(500);
                long cursorCpu = server.cpuNanos() - cursorCpuBefore;
                Histogram moved = cursorDeliveries.histogram();
                return new Result(params, syncLimit, warmupJit, failedUsers, watched, membersAfter,
                        params.users() == 0 ? Double.NaN : churnCpu / 1000.0 / params.users(), churnJvm,
                        sent, cursorDeliveries.count(), cursorDiffs.sum(), millis(moved, 50), millis(moved, 99),
                        maxMillis(moved),
                        sent == 0 ? Double.NaN : cursorCpu / 1000.0 / sent);
            } finally {
                cursorUsers.forEach(LoadClient::close);
            }
        } finally {
            watchers.forEach(LoadClient::close);
        }
    }

    /**
     * Unrecorded: the same churn, at the same rate and under as many watchers, in rounds of {@code warmupSeconds} on
     * another channel until the server's JIT has settled ({@link WarmUp}), so that the measured churn meets code
     * compiled for its shape. Its first joins otherwise ran in a cold JVM and set the join p99 on their own, and
     * the per-connection paths (handshake, subscribe, join), run 250 times a second, reach the optimising
     * compiler only some 40 s in. Users get ids above every measured client's. Returns each round's JIT share.
     */
    private static List<Double> warmUp(ServerUnderTest server, Generator generator, Params params, int maxRounds)
            throws Exception {
        int first = params.watchers() + params.users() + params.cursorUsers();
        List<LoadClient> watchers = generator.rampSubscribed(server, first, params.watchers(), i -> WARMUP,
                new WatcherSink());
        try {
            return WarmUp.untilJitQuiet(server, maxRounds, round -> churn(server, generator, params, WARMUP,
                    params.joinRate() * params.warmupSeconds(), first + params.watchers()));
        } finally {
            watchers.forEach(LoadClient::close);
        }
    }

    /**
     * Users arrive at {@code joinRate}/s, join with a stamped state, stay {@code dwellMillis}, leave and close.
     * Returns how many users could not connect or subscribe (the server closed them during the handshake, as a
     * saturated machine sometimes does); they are reported instead of failing the run.
     */
    private static int churn(ServerUnderTest server, Generator generator, Params params, String channel, int users,
                             int firstIndex) throws Exception {
        LongAdder failed = new LongAdder();
        ScheduledExecutorService leaver = Executors.newSingleThreadScheduledExecutor();
        List<CompletableFuture<Void>> done = new ArrayList<>(users);
        try {
            Pace.run(users, params.joinRate(), i -> {
                CompletableFuture<Void> left = new CompletableFuture<>();
                done.add(left);
                generator.open(server, firstIndex + (int) i, nanos -> { })
                        .thenCompose(client -> client.subscribe(channel))
                        .whenComplete((client, failure) -> {
                            if (failure != null) {
                                failed.increment();
                                left.complete(null);
                                return;
                            }
                            client.send(join(channel, "{\"t\":" + System.nanoTime() + ",\"name\":\"user\"}"));
                            leaver.schedule(() -> {
                                client.send("{\"type\":\"presence:leave\",\"channel\":\"" + channel + "\"}");
                                client.closeGracefully();
                                left.complete(null);
                            }, params.dwellMillis(), TimeUnit.MILLISECONDS);
                        });
            });
            CompletableFuture.allOf(done.toArray(new CompletableFuture[0])).get(120, TimeUnit.SECONDS);
            return failed.intValue();
        } finally {
            leaver.shutdown();
        }
    }

    /** Every cursor user sends {@code rate} updates per second for {@code seconds}, paced without drift. */
    private static long cursors(List<LoadClient> users, int rate, int seconds) {
        Pace.run((long) rate * seconds, rate, tick -> {
            for (LoadClient user : users) {
                user.send("{\"type\":\"presence:update\",\"channel\":\"" + CURSORS + "\",\"payload\":{\"state\":{\"t\":"
                        + System.nanoTime() + ",\"x\":" + tick + "}}}");
            }
        });
        return (long) rate * seconds * users.size();
    }

    private static String join(String channel, String stateJson) {
        return "{\"type\":\"presence:join\",\"channel\":\"" + channel + "\",\"payload\":{\"state\":" + stateJson + "}}";
    }

    /**
     * Waits until every join and every leave reached every watcher (member mode), or nothing has arrived for two
     * seconds (stats mode, where most joins and leaves are only counted), at most 30 s.
     */
    private static void awaitSettled(WatcherSink sink, long expected) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long seen = -1;
        long quietSince = System.nanoTime();
        while ((sink.joins() < expected || sink.leaves.sum() < expected) && System.nanoTime() < deadline) {
            long now = sink.frames();
            if (now != seen) {
                seen = now;
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > TimeUnit.SECONDS.toNanos(2)) {
                return;
            }
            Thread.sleep(20);
        }
    }

    /** Users still listed in the churn channel once every leave has been applied (polled for a few seconds). */
    private static int membersAfter(ServerUnderTest server) throws Exception {
        int users = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            String body = server.get("/api/presence/" + CHURN).body();
            int at = body.indexOf("\"users\":");
            users = at < 0 ? -1 : Integer.parseInt(body.substring(at + 8).replaceAll("^(\\d+).*$", "$1"));
            if (users == 0) {
                return 0;
            }
            Thread.sleep(100);
        }
        return users;
    }

    /**
     * Times the cursor updates one cursor user receives, alone (stamped, through {@link #delivered}) or in a
     * {@code presence:diff}. A diff goes to every subscriber, so the user's own entry in it is left out: a single
     * update never reaches its sender, and counting the echo would inflate deliveries.
     */
    private record CursorSink(byte[] userId, LatencyTally deliveries, LongAdder diffs)
            implements LoadClient.DeliverySink {
        @Override
        public void delivered(long latencyNanos) {
            deliveries.delivered(latencyNanos);
        }

        @Override
        public boolean claims(FrameText frame) {
            if (!PresenceDiff.is(frame)) {
                return false;
            }
            diffs.increment();
            long now = System.nanoTime();
            for (long stamp : PresenceDiff.read(frame, userId).updateStamps()) {
                if (stamp > 0) {
                    delivered(now - stamp);
                }
            }
            return true;
        }
    }

    /**
     * Counts and times what the churn watchers receive: stamped joins through {@link #delivered}; leaves, stats
     * and member lists by their type and the server's {@code timestamp} (ms, the same clock here); a diff's
     * joins by their stamps and its leaves by its timestamp, as if each had come alone.
     */
    private static final class WatcherSink implements LoadClient.DeliverySink {
        private static final byte[] LEAVE = FrameText.ascii("{\"type\":\"presence:leave\"");
        private static final byte[] STATS = FrameText.ascii("{\"type\":\"presence:stats\"");
        private static final byte[] SYNC = FrameText.ascii("{\"type\":\"presence:sync\"");
        private static final byte[] TIMESTAMP = FrameText.ascii("\"timestamp\":");

        /** Stamped joins; {@code unstampedJoins} counts those whose state carried no stamp. */
        final LatencyTally joinLatency = new LatencyTally();
        private final LongAdder unstampedJoins = new LongAdder();
        private final Recorder leaveLatency = new Recorder(3);
        private final Recorder statsLatency = new Recorder(3);
        private final LongAdder leaves = new LongAdder();
        private final LongAdder stats = new LongAdder();
        private final LongAdder syncs = new LongAdder();
        private final LongAdder diffs = new LongAdder();

        @Override
        public void delivered(long latencyNanos) {
            joinLatency.delivered(latencyNanos);
        }

        long joins() {
            return joinLatency.count() + unstampedJoins.sum();
        }

        /** Leaves, stats and member lists (which quote members' stamped states: not joins). */
        @Override
        public boolean claims(FrameText frame) {
            if (frame.startsWith(LEAVE)) {
                leaves.increment();
                leaveLatency.recordValue(sinceServerMicros(frame));
            } else if (frame.startsWith(STATS)) {
                stats.increment();
                statsLatency.recordValue(sinceServerMicros(frame));
            } else if (frame.startsWith(SYNC)) {
                syncs.increment();
            } else if (PresenceDiff.is(frame)) {
                diff(frame);
            } else {
                return false;
            }
            return true;
        }

        private void diff(FrameText frame) {
            diffs.increment();
            PresenceDiff.Entries entries = PresenceDiff.read(frame, null);
            long now = System.nanoTime();
            for (long stamp : entries.joinStamps()) {
                if (stamp > 0) {
                    delivered(now - stamp);
                } else {
                    unstampedJoins.increment();
                }
            }
            if (entries.leaves() > 0) {
                leaves.add(entries.leaves());
                leaveLatency.recordValueWithCount(sinceServerMicros(frame), entries.leaves());
            }
        }

        long frames() {
            return joins() + leaves.sum() + stats.sum() + syncs.sum();
        }

        Watched watched(List<Double> joinP99BySecond, List<Double> stallBySecond) {
            Histogram joined = joinLatency.histogram();
            Histogram left = leaveLatency.getIntervalHistogram();
            Histogram counted = statsLatency.getIntervalHistogram();
            return new Watched(joins(), millis(joined, 50), millis(joined, 99), maxMillis(joined), joinP99BySecond,
                    stallBySecond, leaves.sum(), millis(left, 99), stats.sum(), millis(counted, 50), millis(counted, 99), syncs.sum(),
                    diffs.sum());
        }

        /** Microseconds since the frame's server timestamp (whole ms; the last field), at least 1. */
        private static long sinceServerMicros(FrameText frame) {
            int at = frame.lastIndexOf(TIMESTAMP);
            if (at < 0) {
                return 1;
            }
            long stamp = frame.numberAt(at + TIMESTAMP.length);
            return Math.max(1, (System.currentTimeMillis() - stamp) * 1000);
        }
    }
}
