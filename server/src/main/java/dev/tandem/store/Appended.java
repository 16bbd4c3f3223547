package dev.tandem.store;

/**
 * The outcome of an {@link Append}: the stored event, or, for a repeated client message id, the original.
 *
 * @param event     the event as stored (for a duplicate: the original's channel, seq and message id)
 * @param duplicate whether the append repeated an earlier client message id
 */
public record Appended(StoredEvent event, boolean duplicate) {
}
