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
 * @param syncLimit     above this many users a joiner gets {@code presence:stats} (counts) instead of {@code presence:sync}
 * @param maxStateBytes largest state (encoded JSON) one connection may set; larger gets {@code too_large}
 */
public record PresenceConfig(
        boolean enabled,
        Duration ttl,
        Duration awayAfter,
        int updateRate,
        boolean joinLeave,
        int syncLimit,
        int maxStateBytes) {
}
