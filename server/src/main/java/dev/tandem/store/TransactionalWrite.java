package dev.tandem.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * A change to tables beside the event log (live records) that must commit in the same transaction as the
 * events it emits. The {@link GroupCommitWriter} runs {@link #apply} inside its group-commit transaction,
 * in batch order, so a write sees every earlier write of its batch; the events it returns get their seqs
 * from the same allocation as plain appends and are fanned out after the commit, in commit order. A write
 * that refuses (a version conflict) returns its refusal as the result with no events and changes nothing.
 * An {@link SQLException} fails the whole batch, which the writer retries as a unit when it is transient.
 *
 * @param <R> what the write reports back (the stored record, or why it was refused)
 */
@FunctionalInterface
public interface TransactionalWrite<R> {

    /** Reads and changes rows on {@code connection} (never commits); returns the result and the events to append. */
    Staged<R> apply(Connection connection) throws SQLException;

    /**
     * What a write did inside the transaction.
     *
     * @param result the write's outcome
     * @param events events to append in this transaction, in order (empty for a refusal)
     */
    record Staged<R>(R result, List<Append> events) {
        public Staged {
            events = List.copyOf(events);
        }
    }
}
