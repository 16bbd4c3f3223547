package dev.tandem.presence;

import java.util.List;

/**
 * Where a user is present across every channel, and when they were last seen (kept a while after they go
 * offline), for {@code GET /api/users/{user}/presence}.
 *
 * @param userId   the user
 * @param entries  the user's entries in every channel, possibly empty
 * @param lastSeen when the user was last heard from, ms since the epoch, or -1 when unknown
 */
public record UserPresence(String userId, List<PresenceEntry> entries, long lastSeen) {

    public UserPresence {
        entries = List.copyOf(entries);
    }
}
