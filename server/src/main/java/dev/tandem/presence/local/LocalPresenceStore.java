package dev.tandem.presence.local;

import dev.tandem.presence.PresenceChange;
import dev.tandem.presence.PresenceCounts;
import dev.tandem.presence.PresenceEntry;
import dev.tandem.presence.PresenceKey;
import dev.tandem.presence.PresenceStore;
import dev.tandem.presence.UserPresence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The in-memory {@link PresenceStore} of a single node, laid out the way the Redis store will be: a member map
 * per channel, an expiry index ordered by time, and a per-user record of channels and last seen time.
 *
 * <p>Design. Each channel's members are guarded by that channel's monitor, so a write and the before/after view
 * it reports are atomic per channel without a global lock. The expiry index is a concurrent sorted set: an entry
 * is re-indexed under the channel's monitor whenever its expiry moves or it is removed, so the index never points
 * at a stale entry, and {@link #due} reads only its head; {@link #expire} still re-checks the expiry under the
 * monitor because a heartbeat may land between the two calls.
 * Empty channels are dropped (and marked retired, so a writer that raced the drop retries on a fresh one).
 * Offline users' last seen times are forgotten after {@link #LAST_SEEN_RETENTION}, through a second ordered
 * index, so nothing grows without bound.
 */
public final class LocalPresenceStore implements PresenceStore {
    /** How long a user's last seen time is kept after they went offline everywhere. */
    public static final Duration LAST_SEEN_RETENTION = Duration.ofDays(1);

    private final ConcurrentHashMap<String, ChannelMembers> channels = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<Deadline> expiries = new ConcurrentSkipListSet<>(Deadline.ORDER);
    private final ConcurrentHashMap<String, UserRecord> users = new ConcurrentHashMap<>();
    private final ConcurrentSkipListSet<Deadline> forgets = new ConcurrentSkipListSet<>(Deadline.ORDER);

    @Override
    public CompletionStage<PresenceChange> put(PresenceEntry entry) {
        PresenceChange change = onChannel(entry.channel(), members -> {
            List<PresenceEntry> before = members.ofUser(entry.userId());
            PresenceEntry previous = members.put(entry);
            reindex(previous, entry);
            return new PresenceChange(entry.channel(), entry.userId(), before, members.ofUser(entry.userId()),
                    members.counts());
        });
        recordUser(entry.userId(), entry.channel(), true, entry.lastSeen());
        return CompletableFuture.completedFuture(change);
    }

    @Override
    public CompletionStage<PresenceChange> remove(PresenceKey key, long now) {
        return CompletableFuture.completedFuture(removeIf(key, now, entry -> true));
    }

    /** Removal that was an expiry: the user was last seen at the entry's last refresh, not now. */
    private PresenceChange expireIf(PresenceKey key, long now) {
        return removeIf(key, -1, entry -> entry.expiresAt() <= now);
    }

    @Override
    public CompletionStage<Boolean> touch(PresenceKey key, long lastSeen, long expiresAt) {
        ChannelMembers members = channels.get(key.channel());
        if (members == null) {
            return CompletableFuture.completedFuture(false);
        }
        PresenceEntry touched;
        synchronized (members) {
            PresenceEntry current = members.get(key.connectionId());
            if (current == null || members.retired) {
                return CompletableFuture.completedFuture(false);
            }
            touched = current.seen(lastSeen, expiresAt);
            members.put(touched);
            reindex(current, touched);
        }
        recordUser(touched.userId(), key.channel(), true, lastSeen);
        return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletionStage<List<PresenceEntry>> members(String channel) {
        ChannelMembers members = channels.get(channel);
        if (members == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        synchronized (members) {
            return CompletableFuture.completedFuture(members.all());
        }
    }

    @Override
    public CompletionStage<PresenceCounts> counts(String channel) {
        ChannelMembers members = channels.get(channel);
        if (members == null) {
            return CompletableFuture.completedFuture(new PresenceCounts(0, 0));
        }
        synchronized (members) {
            return CompletableFuture.completedFuture(members.counts());
        }
    }

    @Override
    public CompletionStage<UserPresence> user(String userId) {
        UserRecord record = users.get(userId);
        if (record == null) {
            return CompletableFuture.completedFuture(new UserPresence(userId, List.of(), -1));
        }
        List<PresenceEntry> entries = new ArrayList<>();
        for (String channel : record.channels()) {
            ChannelMembers members = channels.get(channel);
            if (members != null) {
                synchronized (members) {
                    entries.addAll(members.ofUser(userId));
                }
            }
        }
        return CompletableFuture.completedFuture(new UserPresence(userId, entries, record.lastSeen()));
    }

    @Override
    public CompletionStage<List<PresenceKey>> due(long now, int limit) {
        forgetOfflineUsers(now);
        List<PresenceKey> due = new ArrayList<>();
        for (Deadline deadline : expiries) {
            if (deadline.at() > now || due.size() >= limit) {
                break;
            }
            due.add(new PresenceKey(deadline.channel(), deadline.id()));
        }
        return CompletableFuture.completedFuture(due);
    }

    @Override
    public CompletionStage<PresenceChange> expire(PresenceKey key, long now) {
        return CompletableFuture.completedFuture(expireIf(key, now));
    }

    /** Removes the entry if {@code condition} holds; the user is recorded as seen at {@code seen}, or when -1 at the entry's last refresh. */
    private PresenceChange removeIf(PresenceKey key, long seen, Predicate<PresenceEntry> condition) {
        ChannelMembers members = channels.get(key.channel());
        PresenceChange nothing = new PresenceChange(key.channel(), "", List.of(), List.of(), new PresenceCounts(0, 0));
        if (members == null) {
            return nothing;
        }
        PresenceChange change;
        synchronized (members) {
            PresenceEntry current = members.get(key.connectionId());
            if (current == null || members.retired || !condition.test(current)) {
                return nothing;
            }
            List<PresenceEntry> before = members.ofUser(current.userId());
            members.remove(current);
            expiries.remove(Deadline.of(current));
            change = new PresenceChange(key.channel(), current.userId(), before, members.ofUser(current.userId()),
                    members.counts());
            if (members.connectionCount() == 0) {
                members.retired = true;
                channels.remove(key.channel(), members);
            }
        }
        if (change.after().isEmpty()) {
            long lastSeen = seen >= 0 ? seen : change.before().stream().mapToLong(PresenceEntry::lastSeen).max().orElse(0);
            recordUser(change.userId(), key.channel(), false, lastSeen);
        }
        return change;
    }

    private void reindex(PresenceEntry previous, PresenceEntry current) {
        if (previous != null && previous.expiresAt() != current.expiresAt()) {
            expiries.remove(Deadline.of(previous));
        }
        expiries.add(Deadline.of(current));
    }

    private void recordUser(String userId, String channel, boolean present, long seen) {
        UserRecord updated = users.compute(userId, (id, old) -> {
            Set<String> in = old == null ? new HashSet<>() : new HashSet<>(old.channels());
            if (present) {
                in.add(channel);
            } else {
                in.remove(channel);
            }
            return new UserRecord(Set.copyOf(in), Math.max(seen, old == null ? -1 : old.lastSeen()));
        });
        if (updated.channels().isEmpty()) {
            forgets.add(new Deadline(updated.lastSeen() + LAST_SEEN_RETENTION.toMillis(), "", userId));
        }
    }

    private void forgetOfflineUsers(long now) {
        Deadline first;
        while ((first = forgets.isEmpty() ? null : forgets.first()) != null && first.at() <= now) {
            forgets.remove(first);
            String userId = first.id();
            users.computeIfPresent(userId, (id, record) -> record.channels().isEmpty()
                    && record.lastSeen() + LAST_SEEN_RETENTION.toMillis() <= now ? null : record);
        }
    }

    private <T> T onChannel(String channel, Function<ChannelMembers, T> action) {
        while (true) {
            ChannelMembers members = channels.computeIfAbsent(channel, c -> new ChannelMembers());
            synchronized (members) {
                if (!members.retired) {
                    return action.apply(members);
                }
            }
        }
    }

    /** A user's channels and last seen time. */
    private record UserRecord(Set<String> channels, long lastSeen) {
    }

    /** An element of a time-ordered index: an entry's expiry, or when to forget an offline user. */
    private record Deadline(long at, String channel, String id) {
        static final Comparator<Deadline> ORDER = Comparator.comparingLong(Deadline::at)
                .thenComparing(Deadline::channel).thenComparing(Deadline::id);

        static Deadline of(PresenceEntry entry) {
            return new Deadline(entry.expiresAt(), entry.channel(), entry.connectionId());
        }
    }
}
