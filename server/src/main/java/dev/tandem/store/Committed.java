package dev.tandem.store;

import java.util.List;

/**
 * A committed {@link TransactionalWrite}: its result and the events it appended, with their seqs.
 *
 * @param result the write's outcome
 * @param events the stored events, in the order the write returned them
 */
public record Committed<R>(R result, List<StoredEvent> events) {
}
