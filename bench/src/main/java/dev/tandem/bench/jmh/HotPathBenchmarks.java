package dev.tandem.bench.jmh;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.config.ConfigLoader;
import dev.tandem.config.TandemConfig;
import dev.tandem.hub.Hub;
import dev.tandem.hub.Since;
import dev.tandem.hub.Subscriber;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.InboundFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Microbenchmarks of the server's hot paths, in process: decoding a client frame, encoding a server frame,
 * one publication fanned out to 10,000 local subscribers (enqueue only, as the hub does under its lock), and a
 * recovering subscribe that replays 100 publications from history.
 * Run: {@code java -cp bench/target/tandem-bench.jar org.openjdk.jmh.Main HotPathBenchmarks}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class HotPathBenchmarks {
    private static final String PUBLISH = "{\"type\":\"publish\",\"channel\":\"room:bench\",\"requestId\":\"r1\","
            + "\"payload\":{\"text\":\"hello there, this is a chat message\",\"n\":42}}";

    private Hub fanoutHub;
    private Hub recoveryHub;
    private JsonNode payload;
    private String epoch;

    /** A subscriber that only counts and releases, so the benchmark measures the hub, not a socket. */
    static final class CountingSubscriber implements Subscriber {
        long received;

        @Override
        public void send(ByteBuf frame) {
            received++;
            frame.release();
        }
    }

    @Setup
    public void setUp() {
        TandemConfig config = ConfigLoader.defaults().set("namespaces.default.historySize", "1000").load();
        payload = FrameCodec.parse(PUBLISH).payload();
        fanoutHub = new Hub(config, new TandemMetrics(), PooledByteBufAllocator.DEFAULT);
        for (int i = 0; i < 10_000; i++) {
            fanoutHub.subscribe(new CountingSubscriber(), "room:fanout", null, null);
        }
        recoveryHub = new Hub(config, new TandemMetrics(), PooledByteBufAllocator.DEFAULT);
        CountingSubscriber probe = new CountingSubscriber();
        recoveryHub.subscribe(probe, "room:recovery", null, null);
        recoveryHub.unsubscribe(probe, "room:recovery");
        for (int i = 0; i < 1000; i++) {
            recoveryHub.publish("room:recovery", payload, "alice");
        }
        epoch = recoveryHub.history("room:recovery", dev.tandem.hub.HistoryQuery.of(-1, -1, 1)).epoch();
    }

    @Benchmark
    public InboundFrame decodeClientFrame() {
        return FrameCodec.parse(PUBLISH);
    }

    @Benchmark
    public byte[] encodeServerFrame() {
        ObjectNode frame = FrameCodec.envelope("publication", null, "room:bench");
        frame.put("seq", 42L);
        frame.set("payload", payload);
        return FrameCodec.encode(frame);
    }

    /** One publication delivered to 10,000 local subscribers; divide by 10,000 for the per-delivery cost. */
    @Benchmark
    public long fanoutTo10000Subscribers() {
        return fanoutHub.publish("room:fanout", payload, "alice").seq();
    }

    /** Subscribe with {@code since} 100 behind the head: the lookup and the 100-frame replay, then leave. */
    @Benchmark
    public long recoverHundredMissed() {
        CountingSubscriber subscriber = new CountingSubscriber();
        recoveryHub.subscribe(subscriber, "room:recovery", new Since(900, epoch), null);
        recoveryHub.unsubscribe(subscriber, "room:recovery");
        return subscriber.received;
    }
}
