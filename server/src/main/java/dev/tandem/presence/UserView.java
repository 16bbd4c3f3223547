package dev.tandem.presence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.FrameCodec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a member looks on the wire: one object per user, whatever the number of their connections, as
 * {@code {id, name, status, lastSeen, state, connections: [{connectionId, status, lastSeen, state}]}}. The
 * user is {@code online} when any connection is, {@code state} and {@code name} come from the most recently
 * active connection (so a client that only reads {@code state} sees the latest tab), and every connection's own
 * state is in {@code connections} for cursors per tab.
 */
public final class UserView {
    private static final Comparator<PresenceEntry> RECENT = Comparator.comparingLong(PresenceEntry::lastActive);

    private UserView() {
    }

    /** The member object for one user's (non-empty) entries in a channel. */
    public static ObjectNode of(List<PresenceEntry> entries) {
        PresenceEntry latest = entries.stream().max(RECENT).orElseThrow();
        boolean online = entries.stream().anyMatch(e -> e.status() == PresenceEntry.Status.online);
        long lastSeen = entries.stream().mapToLong(PresenceEntry::lastSeen).max().orElse(latest.lastSeen());
        ObjectNode user = FrameCodec.JSON.createObjectNode()
                .put("id", latest.userId())
                .put("name", name(latest))
                .put("status", (online ? PresenceEntry.Status.online : PresenceEntry.Status.away).name())
                .put("lastSeen", lastSeen);
        user.set("state", latest.state());
        ArrayNode connections = user.putArray("connections");
        for (PresenceEntry e : entries) {
            ObjectNode connection = connections.addObject()
                    .put("connectionId", e.connectionId())
                    .put("status", e.status().name())
                    .put("lastSeen", e.lastSeen());
            connection.set("state", e.state());
        }
        return user;
    }

    /** {@code entries} grouped by user, users in order of first appearance. */
    static Map<String, List<PresenceEntry>> byUser(List<PresenceEntry> entries) {
        Map<String, List<PresenceEntry>> byUser = new LinkedHashMap<>();
        for (PresenceEntry e : entries) {
            byUser.computeIfAbsent(e.userId(), u -> new ArrayList<>()).add(e);
        }
        return byUser;
    }

    /** The body of {@code presence:leave}: the user, now offline, and when they were last seen. */
    public static ObjectNode offline(String userId, long lastSeen) {
        return FrameCodec.JSON.createObjectNode().put("id", userId).put("status", "offline").put("lastSeen", lastSeen);
    }

    private static String name(PresenceEntry entry) {
        JsonNode name = entry.state().get("name");
        return name != null && name.isTextual() ? name.textValue() : entry.userId();
    }
}
