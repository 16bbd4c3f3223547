package dev.tandem.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;

/**
 * One command from a client, parsed from a JSON text frame. Accessors validate the field they read and
 * throw {@link ProtocolException} naming the field, so handlers read like a list of requirements.
 *
 * @param type      the command type, or null when the frame had none
 * @param requestId the client's correlation id, echoed verbatim on the reply (string or number), or null
 * @param body      the whole JSON object, for fields a handler needs
 */
public record InboundFrame(String type, JsonNode requestId, JsonNode body) {

    /** A required string field of the envelope (e.g. {@code channel}). */
    public String requireText(String field) {
        JsonNode node = body.path(field);
        if (node.isMissingNode() || node.isNull()) {
            throw ProtocolException.badRequest("'" + field + "' is required for " + type);
        }
        if (!node.isTextual()) {
            throw ProtocolException.badRequest("'" + field + "' must be a string");
        }
        return node.textValue();
    }

    /** The {@code payload} object, or an empty missing node when absent. */
    public JsonNode payload() {
        JsonNode node = body.get("payload");
        return node == null ? MissingNode.getInstance() : node;
    }

    /** An optional non-negative integer field of {@code container}, or {@code fallback} when absent. */
    public static long optionalSeq(JsonNode container, String field, long fallback) {
        JsonNode node = container.path(field);
        if (node.isMissingNode() || node.isNull()) {
            return fallback;
        }
        if (!node.isIntegralNumber() || node.asLong() < 0) {
            throw ProtocolException.badRequest("'" + field + "' must be a non-negative integer");
        }
        return node.asLong();
    }
}
