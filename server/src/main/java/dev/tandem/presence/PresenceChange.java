package dev.tandem.presence;

import java.util.List;

/**
 * What one store write did to one user in one channel: the user's entries just before and just after, read
 * atomically with the write. Empty before and non-empty after is a join; the reverse is a leave; anything else
 * is an update of the merged member, so the service can tell which event to broadcast without a second read.
 * The channel's counts after the write come with it, read in the same atomic step, so the service can switch a
 * crowded channel to counts ({@code presence:stats}) without another round trip to the store.
 *
 * @param channel the channel
 * @param userId  the user
 * @param before  the user's entries in the channel before the write
 * @param after   the user's entries in the channel after the write
 * @param counts  the channel's users and connections after the write
 */
public record PresenceChange(String channel, String userId, List<PresenceEntry> before, List<PresenceEntry> after,
                             PresenceCounts counts) {

    public PresenceChange {
        before = List.copyOf(before);
        after = List.copyOf(after);
    }

    public boolean joined() {
        return before.isEmpty() && !after.isEmpty();
    }

    public boolean left() {
        return !before.isEmpty() && after.isEmpty();
    }

    /** A write that touched nothing (e.g. removing an entry that was already gone). */
    public boolean isNoop() {
        return before.isEmpty() && after.isEmpty();
    }

    /**
     * Whether the user's set of connections changed (a join, a leave, a tab that came or went), as opposed to a
     * change of state or status only. In a channel in stats mode these are what the counts replace.
     */
    public boolean membershipChanged() {
        if (before.size() != after.size()) {
            return true;
        }
        for (PresenceEntry entry : after) {
            if (before.stream().noneMatch(b -> b.connectionId().equals(entry.connectionId()))) {
                return true;
            }
        }
        return false;
    }
}
