package dev.tandem.store;

import java.io.IOException;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;

/**
 * Where expired events go before they leave the live tables. Called from the retention run (a store
 * thread, never an event loop); {@link #write} must have made the events durable when it returns, because
 * the rows are deleted right after. Delivery is at least once: a crash between the two can archive a batch
 * twice.
 */
public interface ArchiveSink {

    /** Appends events of one channel, oldest first; they may span several days. */
    void write(String channel, List<StoredEvent> events) throws IOException;

    /** The archived events of a channel for one UTC day as NDJSON, or empty when there are none. */
    Optional<byte[]> read(String channel, LocalDate day) throws IOException;
}
