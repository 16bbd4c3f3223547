package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One version of a live record (docs/entities.md, Record), as the server returns it from a write, a read, a
 * list or a change event. {@code data} is a private copy: treat it as read-only.
 *
 * @param id        the record id (a UUID unless the creator chose one)
 * @param version   1 on create, +1 per committed change; the version to name in the next update or patch
 * @param createdAt ms since the epoch
 * @param updatedAt ms since the epoch
 * @param updatedBy user id of the last writer ({@code server} for API-key writes)
 * @param data      the record's JSON object
 */
public record EntityRecord(String id, long version, long createdAt, long updatedAt, String updatedBy, JsonNode data) {

    static EntityRecord from(JsonNode node) {
        if (node == null || !node.isObject()) {
            return null;
        }
        JsonNode data = node.get("data");
        return new EntityRecord(node.path("id").asText(), node.path("version").asLong(), node.path("createdAt").asLong(),
                node.path("updatedAt").asLong(), node.path("updatedBy").asText(null),
                data == null ? Frames.JSON.createObjectNode() : data.deepCopy());
    }
}
