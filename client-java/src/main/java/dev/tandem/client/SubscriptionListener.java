package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Receives a channel's events on the client's event thread, in seq order, each exactly once (the SDK drops
 * duplicates and fills gaps from history). Callbacks must not block: the thread also reads the socket.
 */
@FunctionalInterface
public interface SubscriptionListener {
    /** A sequenced event, in order and without duplicates. */
    void onPublication(Publication publication);

    /** Each {@code subscribed} reply; check {@link SubscribedEvent#stateLost()} after reconnects. */
    default void onSubscribed(SubscribedEvent event) {
    }

    /**
     * Events {@code fromSeq..toSeq} were missed and could not be fetched (history expired, or a new epoch):
     * the stream continues after them, the application should refresh its state.
     */
    default void onGap(long fromSeq, long toSeq) {
    }

    /**
     * An ephemeral frame on the channel (no seq: presence, typing, receipts). The extension point for
     * services that have no typed API in this SDK yet.
     */
    default void onEvent(JsonNode frame) {
    }

    /** The server refused the subscription (e.g. {@code forbidden}); the subscription is dropped. */
    default void onError(TandemException error) {
    }
}
