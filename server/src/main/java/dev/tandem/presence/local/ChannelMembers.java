package dev.tandem.presence.local;

import dev.tandem.presence.PresenceCounts;
import dev.tandem.presence.PresenceEntry;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The present connections of one channel, indexed by connection and by user so that a user's entries are found
 * without walking the channel. Not thread-safe: {@link LocalPresenceStore} guards each instance by its monitor.
 */
final class ChannelMembers {
    private final Map<String, PresenceEntry> byConnection = new LinkedHashMap<>();
    private final Map<String, Map<String, PresenceEntry>> byUser = new LinkedHashMap<>();
    boolean retired;

    PresenceEntry get(String connectionId) {
        return byConnection.get(connectionId);
    }

    /** Stores the entry, returning the one it replaced or null. */
    PresenceEntry put(PresenceEntry entry) {
        byUser.computeIfAbsent(entry.userId(), u -> new LinkedHashMap<>()).put(entry.connectionId(), entry);
        return byConnection.put(entry.connectionId(), entry);
    }

    void remove(PresenceEntry entry) {
        byConnection.remove(entry.connectionId());
        Map<String, PresenceEntry> ofUser = byUser.get(entry.userId());
        if (ofUser != null) {
            ofUser.remove(entry.connectionId());
            if (ofUser.isEmpty()) {
                byUser.remove(entry.userId());
            }
        }
    }

    List<PresenceEntry> ofUser(String userId) {
        Map<String, PresenceEntry> ofUser = byUser.get(userId);
        return ofUser == null ? List.of() : List.copyOf(ofUser.values());
    }

    /** Every entry, grouped by user in the order users joined. */
    List<PresenceEntry> all() {
        // One add per entry: addAll would copy each user's entries to an array first.
        List<PresenceEntry> all = new ArrayList<>(byConnection.size());
        for (Map<String, PresenceEntry> ofUser : byUser.values()) {
            for (PresenceEntry entry : ofUser.values()) {
                all.add(entry);
            }
        }
        return all;
    }

    PresenceCounts counts() {
        return new PresenceCounts(byUser.size(), byConnection.size());
    }

    int connectionCount() {
        return byConnection.size();
    }
}
