package dev.tandem.config;

import java.time.Duration;

/**
 * Presence and awareness policy of one namespace: whether clients may join, how long an entry lives without a
 * heartbeat, when a member turns away, and the switches that keep a crowded channel from drowning in presence
 * traffic (update coalescing, join/leave broadcasts, counts instead of member lists).
 *
 * @param enabled       clients may {@code presence:join} channels of the namespace
 * @param ttl           an entry that gets no heartbeat (or other presence command) for this long goes offline
 * @param awayAfter     a member without client-reported activity for this long is {@code away}
 * @param updateRate    most {@code presence:update} broadcasts per second per user per channel (latest state wins)
 * @param joinLeave     whether {@code presence:join} / {@code presence:leave} are broadcast
 * @param syncLimit     above this many users a channel is in stats mode: a joiner gets {@code presence:stats}
 *                      (counts) instead of {@code presence:sync}, and membership events become coalesced counts
 * @param statsResume   a channel in stats mode returns to member events only at or below
 *                      {@code syncLimit × statsResume} users (0 … 1; the gap keeps a channel hovering at the limit
 *                      from flapping)
 * @param statsInterval at most one {@code presence:stats} broadcast per channel per interval in stats mode
 * @param maxStateBytes largest state (encoded JSON) one connection may set; larger gets {@code too_large}
 * @param batchWindow   member events of a channel within this long after its last one are sent together, as one
 *                      {@code presence:diff}, when the window has passed; zero sends every event on its own
 */
public record PresenceConfig(
        boolean enabled,
        Duration ttl,
        Duration awayAfter,
        int updateRate,
        boolean joinLeave,
        int syncLimit,
        double statsResume,
        Duration statsInterval,
        int maxStateBytes,
        Duration batchWindow) {

    /** The user count at or below which a channel in stats mode goes back to member events. */
    public int resumeAt() {
        return (int) Math.floor(syncLimit * statsResume);
    }
}
