package dev.tandem.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.FrameCodec;

/**
 * How an edit or a delete rewrites the stored {@code message.new} payload: an edit replaces {@code content}
 * and stamps {@code editedAt}; a delete leaves a tombstone {@code {id, userId, deleted: true, deletedAt}}
 * that history returns without the content.
 */
final class MessagePayloads {
    private MessagePayloads() {
    }

    static String changed(String stored, Append.Mutation mutation, long at) {
        ObjectNode payload;
        try {
            payload = (ObjectNode) FrameCodec.JSON.readTree(stored);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new IllegalStateException("stored message payload is not a JSON object", e);
        }
        if (mutation.kind() == Append.Mutation.Kind.EDIT) {
            payload.put("content", mutation.content()).put("editedAt", at);
            return payload.toString();
        }
        ObjectNode tombstone = FrameCodec.JSON.createObjectNode();
        tombstone.set("id", payload.get("id"));
        tombstone.set("userId", payload.get("userId"));
        tombstone.put("deleted", true).put("deletedAt", at);
        return tombstone.toString();
    }
}
