package dev.tandem.entities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.testing.WsClient;

/** Builds the native {@code entity.*} commands tests send, and reads JSON literals. */
final class EntityFrames {
    private EntityFrames() {
    }

    static ObjectNode create(String collection, String id, JsonNode data) {
        ObjectNode command = WsClient.command("entity.create");
        ObjectNode payload = command.putObject("payload").put("collection", collection);
        if (id != null) {
            payload.put("id", id);
        }
        payload.set("data", data);
        return command;
    }

    static ObjectNode update(String collection, String id, long version, JsonNode data) {
        ObjectNode command = WsClient.command("entity.update");
        command.putObject("payload").put("collection", collection).put("id", id).put("version", version).set("data", data);
        return command;
    }

    static ObjectNode patch(String collection, String id, long baseVersion, JsonNode patch) {
        ObjectNode command = WsClient.command("entity.patch");
        command.putObject("payload").put("collection", collection).put("id", id).put("baseVersion", baseVersion)
                .set("patch", patch);
        return command;
    }

    static ObjectNode delete(String collection, String id, Long version) {
        ObjectNode command = WsClient.command("entity.delete");
        ObjectNode payload = command.putObject("payload").put("collection", collection).put("id", id);
        if (version != null) {
            payload.put("version", version);
        }
        return command;
    }

    /** Parses a JSON literal (single quotes allowed for readability). */
    static ObjectNode json(String text) {
        return (ObjectNode) tree(text);
    }

    /** Parses any JSON literal (single quotes allowed). */
    static JsonNode tree(String text) {
        try {
            return WsClient.JSON.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    /** The next publication on {@code channel}. */
    static JsonNode nextEvent(WsClient client, String channel) {
        return client.next(f -> "publication".equals(f.path("type").asText()) && channel.equals(f.path("channel").asText()),
                "publication on " + channel);
    }
}
