package dev.tandem.hub;

import dev.tandem.store.StoredEvent;

/**
 * A publication read from or sent through a place every node shares (the store, or the cluster broker), before
 * it becomes this node's {@link Publication}.
 *
 * @param event     the event (a non-durable publication uses the same shape with type {@code publication})
 * @param expiresAt when queued copies stop being worth delivering, ms since the epoch; 0 = never
 */
public record SharedEvent(StoredEvent event, long expiresAt) {

    public long seq() {
        return event.seq();
    }
}
