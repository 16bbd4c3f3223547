package dev.tandem.presence;

import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.ObjLongConsumer;

/**
 * Where presence entries live: the SPI between {@link PresenceService} (the semantics) and a backend. The local
 * implementation keeps them in memory for one node; a cluster implementation keeps them in Redis.
 *
 * <p>Design. Every operation touches one channel, one user or a bounded batch, so each maps to a few Redis
 * commands (or one Lua script) without a global lock or a scan of the keyspace:
 * <ul>
 *   <li>a channel is a hash {@code presence:{channel}} of connection id → entry, plus a per-channel user index
 *       so that {@link #put}/{@link #remove} can return the user's entries before and after atomically;</li>
 *   <li>every entry has a TTL ({@link PresenceEntry#expiresAt}) kept in a sorted set by expiry, so
 *       {@link #due} is a range query and {@link #expire} a conditional remove;</li>
 *   <li>a user is a small set of the channels they are in plus a last-seen key that outlives them.</li>
 * </ul>
 * Each node writes only the entries of its own connections, so writes never contend across nodes; a crashed
 * node's entries simply stop being refreshed and expire on their TTL, which is the per-node heartbeat: a node
 * refreshes (through its clients' heartbeats) what it owns, and nothing else.
 *
 * <p>Methods return stages so a networked store never blocks an event loop; the local store completes them
 * before returning.
 */
public interface PresenceStore {

    /** Inserts or replaces an entry; reports the user's entries in that channel before and after. */
    CompletionStage<PresenceChange> put(PresenceEntry entry);

    /** Removes an entry if present, recording {@code now} as the user's last seen time. */
    CompletionStage<PresenceChange> remove(PresenceKey key, long now);

    /** Refreshes an entry's last seen time and expiry; false when it no longer exists. */
    CompletionStage<Boolean> touch(PresenceKey key, long lastSeen, long expiresAt);

    /** Every entry of a channel, in join order. */
    CompletionStage<List<PresenceEntry>> members(String channel);

    CompletionStage<PresenceCounts> counts(String channel);

    /** A user's entries in every channel and last seen time. */
    CompletionStage<UserPresence> user(String userId);

    /** Up to {@code limit} entries whose expiry is at or before {@code now}, earliest first. */
    CompletionStage<List<PresenceKey>> due(long now, int limit);

    /**
     * Removes an entry only if it is still expired at {@code now} (a heartbeat may have refreshed it since
     * {@link #due}); the change is a no-op when it was refreshed or is gone.
     */
    CompletionStage<PresenceChange> expire(PresenceKey key, long now);

    /**
     * Registers who hears of the changes other nodes made (with, for a leave, when the user left), so they can be
     * announced to this node's subscribers too. A store shared by several nodes calls it for every change of
     * another node, in the order it applied them; the local store has no other nodes and never calls it.
     */
    default void onRemoteChange(ObjLongConsumer<PresenceChange> listener) {
    }
}
