package dev.tandem.client;

import java.util.List;

/**
 * Hears a channel's presence on the client's event thread, in the order the server sent the events, after
 * {@link Presence#members()} already reflects each one. Every method has a default: implement what you need.
 * Callbacks must not block.
 */
public interface PresenceListener {
    /**
     * The full member list: replace what you had. Sent on every (re)join, and to every subscriber when a
     * crowded channel shrinks back to {@code syncLimit × statsResume} users (the end of stats mode:
     * {@link Presence#stats()} is null again and joins are listed again).
     */
    default void onSync(List<PresenceMember> members) {
    }

    /** A user's first connection joined; in stats mode heard but not listed in {@link Presence#members()}. */
    default void onJoin(PresenceMember member) {
    }

    /** A member changed (state, status, a tab joined or left); in stats mode heard but not listed. */
    default void onUpdate(PresenceMember member) {
    }

    /** A user's last connection left or expired. */
    default void onLeave(String userId, long lastSeen) {
    }

    /**
     * The channel has more users than its {@code syncLimit} (stats mode): the server sent counts, in reply to a
     * join or, paced, as membership changes; {@link Presence#members()} is empty until the next
     * {@link #onSync}.
     */
    default void onStats(PresenceStats stats) {
    }

    /** The server refused a presence command (e.g. {@code forbidden}, {@code too_large}). */
    default void onError(TandemException error) {
    }
}
