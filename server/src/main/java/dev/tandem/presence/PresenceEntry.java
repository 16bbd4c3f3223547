package dev.tandem.presence;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One connection's presence in one channel: the unit a {@link PresenceStore} keeps, expires and reports. A user
 * with three tabs in a channel has three entries; {@link UserView} merges them into the one member others see.
 * Immutable: a change is a new entry written over the old one by the node that owns the connection.
 *
 * @param channel      the channel
 * @param userId       who
 * @param connectionId the connection (session id)
 * @param state        client-defined awareness state (name, color, cursor, …), a JSON object; never null
 * @param status       {@code online} or {@code away}
 * @param lastActive   when the client last reported activity (join, update), ms since the epoch
 * @param lastSeen     when the connection was last heard from (any presence command), ms since the epoch
 * @param expiresAt    when the entry goes offline unless refreshed, ms since the epoch
 */
public record PresenceEntry(String channel, String userId, String connectionId, JsonNode state, Status status,
                            long lastActive, long lastSeen, long expiresAt) {

    /** A present member's status; a member that is not present is offline. */
    public enum Status {
        online, away
    }

    public PresenceKey key() {
        return new PresenceKey(channel, connectionId);
    }

    /** The entry after client activity: new state and status, active and seen now, expiry pushed out. */
    public PresenceEntry active(JsonNode newState, Status newStatus, long now, long newExpiresAt) {
        return new PresenceEntry(channel, userId, connectionId, newState, newStatus, now, now, newExpiresAt);
    }

    /** The entry after a heartbeat: seen now and expiry pushed out, activity unchanged. */
    public PresenceEntry seen(long now, long newExpiresAt) {
        return new PresenceEntry(channel, userId, connectionId, state, status, lastActive, now, newExpiresAt);
    }

    public PresenceEntry withStatus(Status newStatus) {
        return new PresenceEntry(channel, userId, connectionId, state, newStatus, lastActive, lastSeen, expiresAt);
    }
}
