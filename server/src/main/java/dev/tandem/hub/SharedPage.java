package dev.tandem.hub;

import java.util.List;

/**
 * Events of one channel read from shared history, oldest first.
 *
 * @param events the events
 * @param latest the channel's latest seq when read
 * @param more   whether the read was cut at its limit
 * @param epoch  the channel's epoch when read ("" when the channel has none yet)
 */
public record SharedPage(List<SharedEvent> events, long latest, boolean more, String epoch) {
}
