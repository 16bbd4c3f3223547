package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One user present in a channel, however many connections (tabs, devices) they have there: the merged view
 * the server sends ({@code state} and {@code name} of the most recently active connection, {@code online}
 * while any connection is) plus each connection's own entry. {@code state} is a private copy: read-only.
 *
 * @param id          the user id
 * @param name        {@code state.name} when it is a string, else the user id
 * @param status      {@link PresenceStatus#ONLINE} or {@link PresenceStatus#AWAY}
 * @param lastSeen    when the server last heard from the user, ms since the epoch
 * @param state       the latest connection's state object
 * @param connections every connection's own entry
 */
public record PresenceMember(String id, String name, PresenceStatus status, long lastSeen, JsonNode state,
                             List<Connection> connections) {

    /**
     * One connection's entry.
     *
     * @param connectionId the server's connection id
     * @param status       that connection's status
     * @param lastSeen     its last heartbeat or activity, ms since the epoch
     * @param state        its own state
     */
    public record Connection(String connectionId, PresenceStatus status, long lastSeen, JsonNode state) {
    }

    static PresenceMember from(JsonNode member) {
        List<Connection> connections = new ArrayList<>();
        for (JsonNode c : member.path("connections")) {
            connections.add(new Connection(c.path("connectionId").asText(), PresenceStatus.of(c.path("status").asText()),
                    c.path("lastSeen").asLong(), copy(c.get("state"))));
        }
        String id = member.path("id").asText();
        return new PresenceMember(id, member.path("name").asText(id), PresenceStatus.of(member.path("status").asText()),
                member.path("lastSeen").asLong(), copy(member.get("state")), List.copyOf(connections));
    }

    static List<PresenceMember> listOf(JsonNode users) {
        List<PresenceMember> list = new ArrayList<>();
        if (users != null && users.isArray()) {
            users.forEach(u -> list.add(from(u)));
        }
        return List.copyOf(list);
    }

    private static JsonNode copy(JsonNode state) {
        return state == null || state.isNull() ? Frames.JSON.createObjectNode() : state.deepCopy();
    }
}
