package dev.tandem.client;

import java.util.List;

/**
 * Hears a channel's presence on the client's event thread, in the order the server sent the events, after
 * {@link Presence#members()} already reflects each one. Every method has a default: implement what you need.
 * Callbacks must not block.
 */
public interface PresenceListener {
    /** The full member list, on every (re)join: replace what you had. */
    default void onSync(List<PresenceMember> members) {
    }

    /** A user's first connection joined. */
    default void onJoin(PresenceMember member) {
    }

    /** A member changed (state, status, a tab joined or left). */
    default void onUpdate(PresenceMember member) {
    }

    /** A user's last connection left or expired. */
    default void onLeave(String userId, long lastSeen) {
    }

    /** The channel has more users than its {@code syncLimit}: the server sent counts, {@link Presence#members()} is empty. */
    default void onStats(PresenceStats stats) {
    }

    /** The server refused a presence command (e.g. {@code forbidden}, {@code too_large}). */
    default void onError(TandemException error) {
    }
}
