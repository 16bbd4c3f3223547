package dev.tandem.entities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.FrameCodec;

/**
 * One version of a live record, as stored and as sent: {@code {id, version, createdAt, updatedAt, updatedBy,
 * data}}. Immutable; {@code data} is never modified after construction (writes build a new tree).
 *
 * @param id        the record's id within its collection
 * @param version   1 on create, +1 per committed change
 * @param createdAt ms since the epoch
 * @param updatedAt ms since the epoch of the last change
 * @param updatedBy user id of the last writer
 * @param data      the record's JSON object
 */
public record EntityRecord(String id, long version, long createdAt, long updatedAt, String updatedBy, ObjectNode data) {

    /** The wire form. */
    public ObjectNode toJson() {
        return withData(data);
    }

    /** The wire form with another {@code data} (partial-update events). */
    public ObjectNode withData(JsonNode shown) {
        ObjectNode json = FrameCodec.JSON.createObjectNode();
        json.put("id", id).put("version", version).put("createdAt", createdAt).put("updatedAt", updatedAt);
        if (updatedBy == null) {
            json.putNull("updatedBy");
        } else {
            json.put("updatedBy", updatedBy);
        }
        json.set("data", shown);
        return json;
    }
}
