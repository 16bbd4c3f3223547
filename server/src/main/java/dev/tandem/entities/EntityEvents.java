package dev.tandem.entities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.store.Append;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The change events of live records: their channels ({@code entity:{c}} and {@code entity:{c}:{id}}) and
 * their payload {@code {type, collection, id, version, record, changed}}. A collection with
 * {@code partialUpdates} sends only the changed fields of {@code data} in {@code entity:updated} (removed
 * ones as null), plus the owner and members fields when its read rule depends on them, so that events can
 * still be filtered per subscriber.
 */
final class EntityEvents {
    static final String NAMESPACE = "entity";

    private EntityEvents() {
    }

    static String collectionChannel(String collection) {
        return NAMESPACE + ":" + collection;
    }

    static String recordChannel(String collection, String id) {
        return NAMESPACE + ":" + collection + ":" + id;
    }

    /** The collection a channel of the {@code entity} namespace belongs to, or null for a malformed name. */
    static String collectionOf(String channel) {
        if (!channel.startsWith(NAMESPACE + ":")) {
            return null;
        }
        String rest = channel.substring(NAMESPACE.length() + 1);
        int colon = rest.indexOf(':');
        String collection = colon < 0 ? rest : rest.substring(0, colon);
        return collection.isEmpty() || (colon >= 0 && colon == rest.length() - 1) ? null : collection;
    }

    /** The two appends of one change, in the order they are committed. */
    static List<Append> change(String type, CollectionPolicy policy, EntityRecord record, ObjectNode previous, long now) {
        List<String> changed = changedFields(previous, type.equals("entity:deleted") ? null : record.data());
        ObjectNode payload = FrameCodec.JSON.createObjectNode();
        payload.put("type", type).put("collection", policy.name()).put("id", record.id()).put("version", record.version());
        boolean partial = policy.partialUpdates() && type.equals("entity:updated");
        payload.set("record", partial ? record.withData(partialData(policy, record.data(), changed)) : record.toJson());
        ArrayNode list = payload.putArray("changed");
        changed.forEach(list::add);
        String json = payload.toString();
        String user = record.updatedBy();
        return List.of(new Append(collectionChannel(policy.name()), "publication", null, json, user, null, now, null),
                new Append(recordChannel(policy.name(), record.id()), "publication", null, json, user, null, now, null));
    }

    /** {@code entity:refresh} on the collection channel: clients reload. */
    static Append refresh(String collection, long now) {
        ObjectNode payload = FrameCodec.JSON.createObjectNode().put("type", "entity:refresh").put("collection", collection);
        return new Append(collectionChannel(collection), "publication", null, payload.toString(), null, null, now, null);
    }

    /** Top-level fields whose value differs between two versions (null stands for "no record"). */
    static List<String> changedFields(ObjectNode before, ObjectNode after) {
        TreeSet<String> names = new TreeSet<>();
        if (before != null) {
            before.fieldNames().forEachRemaining(names::add);
        }
        if (after != null) {
            after.fieldNames().forEachRemaining(names::add);
        }
        List<String> changed = new ArrayList<>();
        for (String name : names) {
            JsonNode a = before == null ? null : before.get(name);
            JsonNode b = after == null ? null : after.get(name);
            if (a == null ? b != null : !a.equals(b)) {
                changed.add(name);
            }
        }
        return changed;
    }

    private static ObjectNode partialData(CollectionPolicy policy, ObjectNode data, List<String> changed) {
        ObjectNode partial = FrameCodec.JSON.createObjectNode();
        for (String name : changed) {
            JsonNode value = data.get(name);
            partial.set(name, value == null ? partial.nullNode() : value);
        }
        if (policy.readDependsOnRecord()) {
            for (String field : List.of(policy.ownerField(), policy.membersField())) {
                if (data.has(field)) {
                    partial.set(field, data.get(field));
                }
            }
        }
        return partial;
    }
}
