package dev.tandem.config;

import java.time.Duration;

/**
 * Collaborative documents (the y-websocket endpoint {@code /yjs/{room}}).
 *
 * @param maxMessageBytes largest inbound y-websocket message; a first sync step 2 of a big document can be
 *                        several megabytes. A bigger one closes the socket with 1009
 * @param compactAfter    stored updates of a room that trigger merging them into one
 * @param compactInterval a room with updates not yet merged is compacted at least this often
 * @param idleUnload      how long a room without connections stays in memory before it is compacted and unloaded
 * @param store           where documents are kept: the durable store's database (default) or files under the data dir
 */
public record DocumentsConfig(int maxMessageBytes, int compactAfter, Duration compactInterval, Duration idleUnload,
                              StoreKind store) {

    /** The document store backends. */
    public enum StoreKind {
        /** Table {@code doc_updates} in the durable store (H2 or PostgreSQL). */
        jdbc,
        /** One append-only file per room under {@code dataDir/docs}. */
        file
    }
}
