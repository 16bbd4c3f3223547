package dev.tandem.client;

/**
 * Receives the change events of a collection ({@link LiveCollection#subscribe}) on the client's event thread,
 * in commit order, each once. Callbacks must not block.
 */
@FunctionalInterface
public interface EntityListener {
    /** A record was created, updated or deleted. */
    void onChange(EntityChange change);

    /**
     * The events no longer describe every change since the application last loaded the collection: the server
     * asked for a refresh, or changes were missed and could not be replayed. Reload with
     * {@link LiveCollection#listAll}.
     */
    default void onReload() {
    }

    /** The server refused the subscription (e.g. {@code forbidden}). */
    default void onError(TandemException error) {
    }
}
