package dev.tandem.client;

import java.util.Map;

/**
 * A user's presence across channels ({@code GET /api/users/{user}/presence}).
 *
 * @param userId   the user
 * @param status   online while any entry is online, away when all are, offline when none is left
 * @param lastSeen the last time the server heard from them (ms since the epoch), or null when unknown
 * @param channels channel → the user's status there
 */
public record UserPresence(String userId, PresenceStatus status, Long lastSeen, Map<String, PresenceStatus> channels) {
}
