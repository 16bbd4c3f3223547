package dev.tandem.client;

import java.util.List;

/**
 * Who is in a channel, as the server API reports it ({@code GET /api/presence/{channel}}).
 *
 * @param channel the channel
 * @param counts  distinct users and their connections
 * @param members every member; empty when the channel is above its namespace's {@code syncLimit} ({@code listed} false)
 * @param listed  whether the server listed the members
 */
public record PresenceSnapshot(String channel, PresenceStats counts, List<PresenceMember> members, boolean listed) {
}
