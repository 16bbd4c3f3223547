package dev.tandem.cluster;

import io.lettuce.core.metrics.CommandLatencyRecorder;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Redis meters ({@code tandem_redis_*}): the round trip of every command, recorded by Lettuce itself (this is
 * the client's {@link CommandLatencyRecorder}, so every component that uses the {@link RedisConnection} is
 * measured without wrapping its calls), and the lag of cross-node pub/sub messages, which the
 * receiver records from the send time the sender put in the message. Untagged: one histogram each keeps the
 * cardinality fixed however many commands and channels there are.
 */
public final class RedisMetrics implements CommandLatencyRecorder {
    private final Timer roundTrip;
    private final Timer pubSubLag;

    public RedisMetrics(MeterRegistry registry) {
        roundTrip = Timer.builder("tandem.redis.roundtrip")
                .description("Redis command round trip: sent to completely answered")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(20_000))
                .maximumExpectedValue(Duration.ofSeconds(5))
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .register(registry);
        pubSubLag = Timer.builder("tandem.redis.pubsub.lag")
                .description("cross-node pub/sub message: sent by one node to received by another")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .register(registry);
    }

    @Override
    public void recordCommandLatency(SocketAddress local, SocketAddress remote, ProtocolKeyword commandType,
                                     long firstResponseLatency, long completionLatency) {
        roundTrip.record(completionLatency, TimeUnit.NANOSECONDS);
    }

    /** Records a pub/sub message received now that was sent at {@code sentAtMillis} (ms since the epoch). */
    public void recordPubSubLag(long sentAtMillis) {
        pubSubLag.record(Math.max(0, System.currentTimeMillis() - sentAtMillis), TimeUnit.MILLISECONDS);
    }

    /** Round trips recorded so far (for tests and the admin page). */
    public long roundTrips() {
        return roundTrip.count();
    }
}
