package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The member events of one presence frame, read the same way whether the server sent a single event
 * ({@code presence:join}, {@code presence:update}, {@code presence:leave}) or a batch of them
 * ({@code presence:diff}, at most one entry per user: their net change over the server's batch window), so
 * {@link Presence} applies both with one rule.
 *
 * @param joins   members whose first connection joined
 * @param updates members that changed
 * @param leaves  users whose last connection left or expired
 */
record PresenceDiff(List<PresenceMember> joins, List<PresenceMember> updates, List<Leave> leaves) {

    /**
     * A user gone from the channel.
     *
     * @param userId   the user id
     * @param lastSeen when the server last heard from them, ms since the epoch
     */
    record Leave(String userId, long lastSeen) {
        static Leave from(JsonNode payload) {
            return new Leave(payload.path("id").asText(), payload.path("lastSeen").asLong());
        }
    }

    /** The member events of {@code frame}, or null when it carries none (sync, stats, other frames). */
    static PresenceDiff of(JsonNode frame) {
        JsonNode payload = frame.path("payload");
        return switch (frame.path("type").asText()) {
            case "presence:join" -> new PresenceDiff(List.of(PresenceMember.from(payload)), List.of(), List.of());
            case "presence:update" -> new PresenceDiff(List.of(), List.of(PresenceMember.from(payload)), List.of());
            case "presence:leave" -> new PresenceDiff(List.of(), List.of(), List.of(Leave.from(payload)));
            case "presence:diff" -> new PresenceDiff(PresenceMember.listOf(payload.get("joins")),
                    PresenceMember.listOf(payload.get("updates")), leavesOf(payload.get("leaves")));
            default -> null;
        };
    }

    private static List<Leave> leavesOf(JsonNode entries) {
        List<Leave> list = new ArrayList<>();
        if (entries != null && entries.isArray()) {
            entries.forEach(e -> list.add(Leave.from(e)));
        }
        return List.copyOf(list);
    }
}
