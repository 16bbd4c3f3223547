package dev.tandem.config;

import java.time.Duration;

/**
 * Collaborative documents (the y-websocket endpoint {@code /yjs/{room}}).
 *
 * @param maxMessageBytes largest inbound y-websocket message; a first sync step 2 of a big document can be
 *                        several megabytes. A bigger one closes the socket with 1009
 * @param compactAfter    stored updates of a room that trigger merging them into one
 * @param idleUnload      how long a room without connections stays in memory before it is compacted and unloaded
 */
public record DocumentsConfig(int maxMessageBytes, int compactAfter, Duration idleUnload) {
}
