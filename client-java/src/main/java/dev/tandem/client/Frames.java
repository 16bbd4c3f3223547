package dev.tandem.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The SDK's one JSON mapper and the builder of command frames. */
final class Frames {
    static final ObjectMapper JSON = new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Frames() {
    }

    static ObjectNode command(String type, String channel) {
        ObjectNode frame = JSON.createObjectNode().put("type", type);
        if (channel != null) {
            frame.put("channel", channel);
        }
        return frame;
    }

    /** Parses a server frame; null when it is not a JSON object (the server never sends one). */
    static JsonNode parse(String text) {
        try {
            JsonNode node = JSON.readTree(text);
            return node != null && node.isObject() ? node : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
