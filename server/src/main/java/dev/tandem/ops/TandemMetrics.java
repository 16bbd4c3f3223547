package dev.tandem.ops;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's meters, all prefixed {@code tandem_} in Prometheus output. Counters are created once here
 * and handed out as fields, so hot paths increment a field instead of looking a meter up by name.
 */
public final class TandemMetrics {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicLong subscriptions = new AtomicLong();
    private final Counter framesIn;
    private final Counter framesOut;
    private final Counter publications;
    private final Counter deliveries;
    private final Counter slowConsumerDisconnects;
    private final Counter refusedConnections;
    private final Map<String, Counter> droppedFrames = new ConcurrentHashMap<>();
    private final Map<String, Counter> refusals = new ConcurrentHashMap<>();

    public TandemMetrics() {
        Gauge.builder("tandem.connections", connections, AtomicInteger::get)
                .description("open client connections").tag("transport", "ws").register(registry);
        Gauge.builder("tandem.subscriptions", subscriptions, AtomicLong::get)
                .description("channel subscriptions held by local connections").register(registry);
        framesIn = Counter.builder("tandem.frames.in").description("frames received from clients").register(registry);
        framesOut = Counter.builder("tandem.frames.out").description("frames written to clients").register(registry);
        publications = Counter.builder("tandem.publications").description("publications accepted").register(registry);
        deliveries = Counter.builder("tandem.deliveries").description("publications enqueued to subscribers").register(registry);
        slowConsumerDisconnects = Counter.builder("tandem.slow.consumer.disconnects")
                .description("connections closed because they fell behind").register(registry);
        refusedConnections = Counter.builder("tandem.refused.connections")
                .description("connections refused because the node is at capacity").register(registry);
        for (String reason : new String[] {"low_priority", "conflated", "expired"}) {
            droppedFrame(reason, 0);
        }
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
    }

    public AtomicInteger connections() {
        return connections;
    }

    public AtomicLong subscriptions() {
        return subscriptions;
    }

    public Counter framesIn() {
        return framesIn;
    }

    public Counter framesOut() {
        return framesOut;
    }

    public Counter publications() {
        return publications;
    }

    public Counter deliveries() {
        return deliveries;
    }

    public Counter slowConsumerDisconnects() {
        return slowConsumerDisconnects;
    }

    public Counter refusedConnections() {
        return refusedConnections;
    }

    /** Counts a queued frame that was not delivered: {@code low_priority}, {@code conflated} or {@code expired}. */
    public void droppedFrame(String reason) {
        droppedFrame(reason, 1);
    }

    private void droppedFrame(String reason, int n) {
        droppedFrames.computeIfAbsent(reason, r -> Counter.builder("tandem.dropped.frames")
                .description("queued frames dropped instead of delivered").tag("reason", r).register(registry))
                .increment(n);
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

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }
}
