package dev.tandem.docs;

/**
 * What a {@link DocumentStore} reports as it works (for metrics): bytes it made durable and compactions it
 * ran. Called on the store's worker thread; implementations only count.
 */
public interface DocumentStoreListener {
    /** Reports nothing. */
    DocumentStoreListener NONE = new DocumentStoreListener() {
    };

    /** {@code updates} updates of {@code bytes} in all were appended durably. */
    default void stored(int updates, long bytes) {
    }

    /** A room was merged into one update of {@code bytes} and stored, taking {@code nanos}. */
    default void compacted(long nanos, long bytes) {
    }
}
