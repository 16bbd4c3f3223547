package dev.tandem.bench;

import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Durable publish throughput and ack latency: P publisher connections, each subscribed to its own
 * {@code chat:} channel (durable history), publish at a fixed total rate. A publisher's own copy of a
 * publication is fanned out only after the commit that stores it, just before the ack, so the time from send
 * to that copy is the ack latency (group commit + fanout + network). Throughput is counted from those copies.
 * Publishers send on the schedule and never wait for an ack, so one publisher pipelines as many publications
 * as the rate puts in flight (the server accepts them all and group-commits them together). With
 * {@link Send#MESSAGE} they send chat messages instead ({@code message.send}, each with its own
 * {@code clientMsgId}, which the store claims in the same transaction), timed by the stamp in that id.
 */
final class DurableScenario {
    private static final byte[] MESSAGE_NEW = FrameText.ascii("{\"type\":\"message.new\"");
    private static final byte[] ACK = FrameText.ascii("{\"type\":\"ack\"");
    private static final byte[] STAMPED_ID = FrameText.ascii("\"clientMsgId\":\"t");

    /** What the publishers send. */
    enum Send {
        /** {@code publish} of a stamped payload. */
        PUBLISH,
        /** {@code message.send} with a {@code clientMsgId} of {@code t<stamp>}. */
        MESSAGE
    }

    /**
     * @param publishers    publisher connections (one channel each)
     * @param rate          total publications per second
     * @param seconds       measured duration
     * @param warmupSeconds unrecorded warm-up at the same rate
     * @param send          what the publishers send
     */
    record Params(int publishers, int rate, int seconds, int warmupSeconds, Send send) {
    }

    /**
     * @param store            h2 or postgres
     * @param params           the parameters
     * @param published        publications sent in the measured period
     * @param acknowledged     committed publications seen back in the measured period (plus drain)
     * @param ackedPerSecond   acknowledged / seconds
     * @param p50Millis        median ack latency
     * @param p99Millis        99th percentile
     * @param maxMillis        maximum
     * @param cpuMicrosPerMessage server CPU (user + system) per acknowledged publication in the measured period
     * @param p99MillisBySecond the ack latency p99 of each second of the measured period (and its drain)
     * @param serverJvm        the server's GC pauses and JIT compile time in the measured period
     * @param stallMillisBySecond the generator's worst stall in each second of {@code p99MillisBySecond}
     */
    record Result(String store, Params params, long published, long acknowledged, double ackedPerSecond,
                  double p50Millis, double p99Millis, double maxMillis, double cpuMicrosPerMessage,
                  List<Double> p99MillisBySecond, JvmTime serverJvm, List<Double> stallMillisBySecond) {
    }

    /**
     * How long a period's copies may take to arrive after its last publication: a warm-up backlog is then neither
     * counted nor timed in the measured period, and the measured one is counted in full.
     */
    private static final Duration DRAIN = Duration.ofSeconds(10);

    private DurableScenario() {
    }

    static Result run(String store, ServerUnderTest server, Generator generator, Params params, int round) throws Exception {
        LatencyTally acknowledged = new LatencyTally();
        CopySink sink = new CopySink(acknowledged, params.send());
        int first = round * 1000;
        List<LoadClient> publishers = generator.rampSubscribed(server, first, params.publishers(),
                i -> "chat:bench-" + i, sink);
        try {
            long warm = publish(publishers, server.dialect(), first, params, params.warmupSeconds());
            acknowledged.await(warm, DRAIN);
            acknowledged.reset();
            long cpuBefore = server.cpuNanos();
            JvmTime jvmBefore = server.jvmTime();
            LatencyBySecond bySecond = LatencyBySecond.start(acknowledged);
            long published = publish(publishers, server.dialect(), first, params, params.seconds());
            acknowledged.await(published, DRAIN);
            long cpu = server.cpuNanos() - cpuBefore;
            JvmTime jvm = server.jvmTime().since(jvmBefore);
            List<Double> p99BySecond = bySecond.stop();
            Histogram h = acknowledged.histogram();
            long got = acknowledged.count();
            return new Result(store, params, published, got, got / (double) params.seconds(),
                    LatencyTally.millis(h, 50), LatencyTally.millis(h, 99), LatencyTally.maxMillis(h),
                    got == 0 ? 0 : cpu / 1000.0 / got, p99BySecond, jvm, bySecond.stallMillis());
        } finally {
            publishers.forEach(LoadClient::close);
        }
    }

    /** Publishes round-robin over the publishers at the rate in total, paced against the schedule. */
    private static long publish(List<LoadClient> publishers, Dialect dialect, int first, Params params, int seconds) {
        return Pace.run((long) params.rate() * seconds, params.rate(), i -> {
            int p = (int) (i % publishers.size());
            String channel = "chat:bench-" + (first + p);
            publishers.get(p).send(params.send() == Send.MESSAGE
                    ? "{\"type\":\"message.send\",\"channel\":\"" + channel + "\",\"clientMsgId\":\"t" + System.nanoTime()
                            + "\",\"payload\":{\"content\":\"durable-benchmark-payload\"},\"requestId\":1}"
                    : dialect.publish(channel, "{\"t\":" + System.nanoTime() + ",\"p\":\"durable-benchmark-payload\"}", 1));
        });
    }

    /**
     * Counts and times each publisher's own copies: a publication by its {@code "t":} stamp (the client finds it),
     * a {@code message.new} by the stamp in its {@code clientMsgId} (the content is a string, so it cannot carry
     * a {@code "t":}). When sending messages it also takes the acks, which say nothing more.
     */
    private record CopySink(LatencyTally acknowledged, Send send) implements LoadClient.DeliverySink {
        @Override
        public void delivered(long latencyNanos) {
            acknowledged.delivered(latencyNanos);
        }

        @Override
        public boolean claims(FrameText frame) {
            if (send != Send.MESSAGE) {
                return false;
            }
            if (frame.startsWith(ACK)) {
                return true;
            }
            if (!frame.startsWith(MESSAGE_NEW)) {
                return false;
            }
            int at = frame.indexOf(STAMPED_ID, 0);
            if (at >= 0) {
                delivered(System.nanoTime() - frame.numberAt(at + STAMPED_ID.length));
            }
            return true;
        }
    }
}
