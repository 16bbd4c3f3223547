package dev.tandem.presence;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Presence meters ({@code tandem_presence_*}): entries of this node's connections, the presence events this
 * node broadcast to its subscribers by type (those of other nodes' changes included; {@code stats} and
 * {@code sync} are the counts and member lists of crowded channels, {@code diff} the batched member events of busy
 * ones), and the entries this node expired (a client that went silent, or any entry of a dead node in a cluster).
 */
final class PresenceMetrics {
    private final Map<String, Counter> events;
    private final Counter expired;

    PresenceMetrics(MeterRegistry registry, Supplier<Number> ownEntries) {
        Gauge.builder("tandem.presence.entries", ownEntries)
                .description("presence entries of this node's connections (one per connection per channel)")
                .register(registry);
        events = Map.of("presence:join", event(registry, "join"), "presence:update", event(registry, "update"),
                "presence:leave", event(registry, "leave"), "presence:stats", event(registry, "stats"),
                "presence:sync", event(registry, "sync"), "presence:diff", event(registry, "diff"));
        expired = Counter.builder("tandem.presence.expired")
                .description("presence entries this node took offline because their TTL passed or their node died")
                .register(registry);
    }

    private static Counter event(MeterRegistry registry, String type) {
        return Counter.builder("tandem.presence.events")
                .description("presence events broadcast to this node's subscribers, by type")
                .tag("type", type).register(registry);
    }

    void event(String type) {
        events.get(type).increment();
    }

    void expired() {
        expired.increment();
    }
}
