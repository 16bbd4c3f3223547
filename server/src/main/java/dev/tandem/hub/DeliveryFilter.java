package dev.tandem.hub;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Predicate;

/**
 * Per-subscriber visibility of a durable namespace's events, for access rules that depend on the event itself
 * (live records readable by their owner or members only). It is the one hook in hub delivery: the channel
 * asks {@link #audience} once per event, then tests each subscriber against the answer inside its fanout
 * (and against each row it replays on a recovering subscribe). Returning null means "every subscriber of
 * the channel": that is what a filter answers when the rule does not depend on the record, because the
 * subscribe-time access check already admitted exactly the right set, so no subscriber is evaluated at all.
 * Called under the channel's lock: it must be quick and must not block.
 */
@FunctionalInterface
public interface DeliveryFilter {

    /** Who may receive the event with {@code payload} on {@code channel}; null for every subscriber. */
    Predicate<Subscriber> audience(String channel, JsonNode payload);

    /**
     * Whether events of {@code channel} can ever need filtering; asked once when the channel is created, so
     * channels whose rule does not depend on the event skip the hook (and the payload parse) entirely.
     */
    default boolean appliesTo(String channel) {
        return true;
    }
}
