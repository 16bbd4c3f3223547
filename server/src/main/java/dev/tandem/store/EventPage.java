package dev.tandem.store;

import java.util.List;

/**
 * Stored events of one channel, oldest first.
 *
 * @param events the events
 * @param latest the channel's latest seq when read
 * @param more   whether the read was cut at its limit
 */
public record EventPage(List<StoredEvent> events, long latest, boolean more) {
}
