package dev.tandem.docs;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where documents are kept: per room, an ordered list of Yjs updates (format v1). Deliberately narrow so a
 * file, H2 or PostgreSQL store can back it.
 *
 * <p>Contract: every method returns at once (never blocks the caller, which may be an event loop) and
 * completes its future off the event loop. Operations on one room take effect in call order: a
 * {@link #load} sees every earlier {@link #append}, and a {@link #compact} replaces exactly the updates
 * appended before it. Appends may be batched; an append's future completes once it is durable.
 */
public interface DocumentStore extends AutoCloseable {

    /** Every stored update of {@code room} in append order; empty when the room has none. */
    CompletableFuture<List<byte[]>> load(String room);

    /** Appends one update to {@code room}. */
    CompletableFuture<Void> append(String room, byte[] update);

    /**
     * Merges {@code updates} (the room's loaded updates and every update appended to it before this call) into
     * one, off the caller's thread, and replaces what is stored for {@code room} with it; completes with the
     * merged update. An empty result replaces nothing: an empty document never overwrites a stored one.
     */
    CompletableFuture<byte[]> compact(String room, List<byte[]> updates);

    /** Removes the document (the only way a stored document goes away). */
    CompletableFuture<Void> delete(String room);

    /** Completes pending work (everything accepted becomes durable), then releases resources. */
    @Override
    void close();
}
