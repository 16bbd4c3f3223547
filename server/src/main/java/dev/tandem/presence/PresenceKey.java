package dev.tandem.presence;

/**
 * Names one {@link PresenceEntry}: a connection in a channel.
 *
 * @param channel      the channel
 * @param connectionId the connection
 */
public record PresenceKey(String channel, String connectionId) {
}
