package dev.tandem.ops;

import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.resilience.CircuitBreaker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmCompilationMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.time.Duration;
import java.util.EnumMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The server's meters, all prefixed {@code tandem_} in Prometheus output (docs/operations.md lists them with
 * units). Meters are created once and handed out as fields, so hot paths increment a field instead of
 * looking a meter up by name. Every tag has a bounded set of values: namespaces are only those configured
 * (others count as {@code default}), codes come from the {@link ErrorCode} and {@link CloseCode} tables.
 *
 * <p>Delivery latency is measured from enqueue to socket write, once per event-loop write pass: from the
 * earliest enqueue among the frames the pass wrote to the end of the pass (an upper bound for every frame in
 * it). Fanout enqueues synchronously inside the publish, so for publications this is publish → write,
 * including any time a slow socket made a frame wait; one sample per pass keeps the cost (about a
 * microsecond with percentiles) off the per-frame and per-connection path.
 *
 * <p>The JVM's own meters come along: memory, threads, CPU, garbage-collection pauses and JIT compile time. The
 * last two explain most of a latency tail that the server's code does not: a young pause stops every event loop,
 * and a compiler thread still busy after start-up takes a core from them. {@link #close} detaches the GC
 * listener, which otherwise outlives the server in a JVM that runs several (tests), and stops the scrape thread.
 */
public final class TandemMetrics implements AutoCloseable {
    private static final int SCRAPES_QUEUED = 4;

    private final ThreadPoolExecutor scraper = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(SCRAPES_QUEUED), r -> {
                Thread thread = new Thread(r, "tandem-metrics-scrape");
                thread.setDaemon(true);
                return thread;
            });
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcPauses = new JvmGcMetrics();
    private final TransportGauges connections =
            new TransportGauges(registry, "tandem.connections", "open client connections");
    private final TransportGauges subscriptions =
            new TransportGauges(registry, "tandem.subscriptions", "channel subscriptions held by local connections");
    private final Counter framesIn;
    private final Counter framesOut;
    private final Counter socketWrites;
    private final Map<String, Counter> publicationsByNamespace = new ConcurrentHashMap<>();
    private final Counter deliveries;
    private final Counter slowConsumerDisconnects;
    private final Counter refusedConnections;
    private final Map<String, Counter> droppedFrames = new ConcurrentHashMap<>();
    private final Counter droppedQueueFull;
    private final Counter droppedOnClose;
    private final Timer deliveryLatency;
    private final Map<ErrorCode, Counter> errorFrames = new EnumMap<>(ErrorCode.class);
    private final Map<CloseCode, Counter> disconnects = new EnumMap<>(CloseCode.class);
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();
    private final Counter redeliveries;

    public TandemMetrics() {
        framesIn = Counter.builder("tandem.frames.in").description("frames received from clients").register(registry);
        framesOut = Counter.builder("tandem.frames.out").description("frames written to clients").register(registry);
        socketWrites = Counter.builder("tandem.socket.writes")
                .description("flushes that wrote frames to a client; frames.out / socket.writes is frames per write")
                .register(registry);
        deliveries = Counter.builder("tandem.deliveries").description("publications enqueued to subscribers").register(registry);
        slowConsumerDisconnects = Counter.builder("tandem.slow.consumer.disconnects")
                .description("connections closed because they fell behind").register(registry);
        redeliveries = Counter.builder("tandem.redeliveries")
                .description("publications sent again because a user did not confirm them in time (ack: required)")
                .register(registry);
        refusedConnections = Counter.builder("tandem.refused.connections")
                .description("connections refused because the node is at capacity").register(registry);
        for (String reason : new String[] {"low_priority", "conflated", "expired"}) {
            droppedFrames.put(reason, dropped(reason));
        }
        droppedQueueFull = dropped("queue_full");
        droppedOnClose = dropped("closed");
        deliveryLatency = Timer.builder("tandem.delivery.latency")
                .description("enqueue (publish) to socket write: per event-loop write pass, earliest enqueue to end of pass")
                .publishPercentiles(0.5, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(50_000))
                .maximumExpectedValue(Duration.ofSeconds(10))
                .distributionStatisticExpiry(Duration.ofMinutes(1))
                .register(registry);
        for (ErrorCode code : ErrorCode.values()) {
            errorFrames.put(code, Counter.builder("tandem.error.frames")
                    .description("error frames sent to clients, by code (refusals: limit_exceeded, rate_limited, too_large, ...)")
                    .tag("code", code.wireName()).register(registry));
        }
        for (CloseCode code : CloseCode.values()) {
            disconnects.put(code, Counter.builder("tandem.disconnects")
                    .description("connections ended, by close code (1000 also counts clients that left)")
                    .tag("code", String.valueOf(code.code())).register(registry));
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new JvmCompilationMetrics().bindTo(registry);
        gcPauses.bindTo(registry);
    }

    /** Stops listening to the JVM's garbage collections and the scrape thread. */
    @Override
    public void close() {
        gcPauses.close();
        scraper.shutdownNow();
    }

    private Counter dropped(String reason) {
        return Counter.builder("tandem.dropped.frames")
                .description("outbound frames dropped: queue_full (the frame that made a slow consumer), closed (queued "
                        + "when the connection ended), low_priority (shed), conflated (latest-only), expired (ttl)")
                .tag("reason", reason).register(registry);
    }

    /** The registry behind {@code /metrics}, for components that own their meters (Redis, store, documents). */
    public io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    /** Open connections by transport. */
    public TransportGauges connections() {
        return connections;
    }

    /** Channel subscriptions by the subscribing connection's transport. */
    public TransportGauges subscriptions() {
        return subscriptions;
    }

    public Counter framesIn() {
        return framesIn;
    }

    public Counter framesOut() {
        return framesOut;
    }

    public Counter socketWrites() {
        return socketWrites;
    }

    /** The publications counter of a namespace; pass only configured namespace names (bounded cardinality). */
    public Counter publications(String namespace) {
        return publicationsByNamespace.computeIfAbsent(namespace, ns -> Counter.builder("tandem.publications")
                .description("publications accepted, by configured namespace").tag("namespace", ns).register(registry));
    }

    /** Publications accepted in every namespace. */
    public double publicationsTotal() {
        return publicationsByNamespace.values().stream().mapToDouble(Counter::count).sum();
    }

    public Counter deliveries() {
        return deliveries;
    }

    public Counter slowConsumerDisconnects() {
        return slowConsumerDisconnects;
    }

    public Counter redeliveries() {
        return redeliveries;
    }

    public Counter refusedConnections() {
        return refusedConnections;
    }

    /** Counts a queued frame that was not delivered: {@code low_priority}, {@code conflated} or {@code expired}. */
    public void droppedFrame(String reason) {
        droppedFrames.computeIfAbsent(reason, this::dropped).increment();
    }

    public Counter droppedQueueFull() {
        return droppedQueueFull;
    }

    public Counter droppedOnClose() {
        return droppedOnClose;
    }

    public void recordDeliveryLatency(long nanos) {
        deliveryLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Delivery latency at {@code percentile} (0.5 or 0.99) over the last minute or so, in milliseconds; NaN
     * before anything was delivered.
     */
    public double deliveryLatencyMillis(double percentile) {
        if (deliveryLatency.count() == 0) {
            return Double.NaN;
        }
        for (ValueAtPercentile value : deliveryLatency.takeSnapshot().percentileValues()) {
            if (value.percentile() == percentile) {
                return value.value(TimeUnit.MILLISECONDS);
            }
        }
        return Double.NaN;
    }

    public Counter errorFrames(ErrorCode code) {
        return errorFrames.get(code);
    }

    public Counter disconnects(CloseCode code) {
        return disconnects.get(code);
    }

    /** Registers {@code tandem_outbound_queue_bytes}: bytes waiting in every connection's outbound queue. */
    public void outboundQueueBytes(LongSupplier bytes) {
        Gauge.builder("tandem.outbound.queue.bytes", bytes, LongSupplier::getAsLong).strongReference(true).baseUnit("bytes")
                .description("bytes waiting in connections' outbound queues").register(registry);
    }

    /**
     * Registers {@code tandem_event_loops{engine}}: the loops serving connections, tagged with the socket I/O engine
     * that runs them, which after a fallback is not the one configured.
     */
    public void eventLoops(String engine, int loops) {
        Gauge.builder("tandem.event.loops", () -> loops).strongReference(true).tag("engine", engine)
                .description("event loops serving connections, by the socket I/O engine that runs them").register(registry);
    }

    /**
     * Counts a refusal for security or abuse reasons, by reason code: a token reason ({@code expired},
     * {@code bad_signature}, …), {@code forbidden}, {@code rate_limited}, {@code flooding},
     * {@code connections_per_ip}, {@code connections_per_user}, {@code handshake_rate}, {@code connect_timeout}.
     */
    public void refused(String reason) {
        refusals.computeIfAbsent(reason, r -> Counter.builder("tandem.refusals")
                .description("commands, connections and tokens refused by auth and limits").tag("reason", r)
                .register(registry)).increment();
    }

    /**
     * Registers {@code tandem_circuit_state{breaker}}: 0 closed, 1 half-open (probing), 2 open (failing fast).
     */
    public void circuitState(String breaker, IntSupplier state) {
        Gauge.builder("tandem.circuit.state", state, IntSupplier::getAsInt).strongReference(true).tag("breaker", breaker)
                .description("circuit breaker state: 0 closed, 1 half-open, 2 open").register(registry);
    }

    /** Counts breaker openings and the calls refused while open ({@code tandem_circuit_opened/rejected_total}). */
    public CircuitBreaker.Listener circuitListener() {
        return new CircuitBreaker.Listener() {
            @Override
            public void opened(String breaker) {
                Counter.builder("tandem.circuit.opened").description("times a circuit breaker opened")
                        .tag("breaker", breaker).register(registry).increment();
            }

            @Override
            public void rejected(String breaker) {
                Counter.builder("tandem.circuit.rejected").description("calls refused at once by an open circuit breaker")
                        .tag("breaker", breaker).register(registry).increment();
            }
        };
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    /**
     * {@link #scrape()} on the scrape thread, for {@code /metrics}: a scrape walks every series (5–15 ms for a few
     * hundred), and an event loop busy with it holds up every connection it serves. A scraper asking faster than
     * one thread answers is refused with {@code unavailable}.
     */
    public CompletableFuture<String> scrapeAsync() {
        try {
            return CompletableFuture.supplyAsync(registry::scrape, scraper);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(
                    new ProtocolException(ErrorCode.UNAVAILABLE, "too many metrics scrapes waiting; retry"));
        }
    }
}
