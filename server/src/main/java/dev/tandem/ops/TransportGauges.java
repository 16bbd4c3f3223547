package dev.tandem.ops;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A count held per transport (connections, subscriptions), exported as one gauge per {@code transport} tag — a
 * tag's gauge is registered the first time that transport is seen — plus the node-wide total that limits and
 * the admin page read.
 */
public final class TransportGauges {
    private final MeterRegistry registry;
    private final String name;
    private final String description;
    private final ConcurrentHashMap<String, AtomicLong> byTransport = new ConcurrentHashMap<>();
    private final AtomicLong total = new AtomicLong();

    TransportGauges(MeterRegistry registry, String name, String description) {
        this.registry = registry;
        this.name = name;
        this.description = description;
    }

    /** Adds {@code delta} (±1) to {@code transport}'s count and to the total. */
    public void add(String transport, long delta) {
        byTransport.computeIfAbsent(transport, this::register).addAndGet(delta);
        total.addAndGet(delta);
    }

    public long total() {
        return total.get();
    }

    private AtomicLong register(String transport) {
        AtomicLong count = new AtomicLong();
        Gauge.builder(name, count, AtomicLong::get).description(description).tag("transport", transport)
                .register(registry);
        return count;
    }
}
