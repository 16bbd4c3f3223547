package dev.tandem.entities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;

/**
 * JSON Merge Patch (RFC 7396): {@link #apply} a patch to a document, and {@link #diff} two documents into
 * the patch that turns one into the other. A patch member set to {@code null} removes that member; an object
 * member patches recursively; anything else replaces. Neither input is modified.
 */
public final class MergePatch {
    private MergePatch() {
    }

    /** The RFC 7396 MergePatch(target, patch) algorithm. */
    public static JsonNode apply(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject()
                ? ((ObjectNode) target).deepCopy() : JsonNodeFactory.instance.objectNode();
        Iterator<Map.Entry<String, JsonNode>> members = patch.fields();
        while (members.hasNext()) {
            Map.Entry<String, JsonNode> member = members.next();
            if (member.getValue().isNull()) {
                result.remove(member.getKey());
            } else {
                result.set(member.getKey(), apply(result.get(member.getKey()), member.getValue()));
            }
        }
        return result;
    }

    /** The merge patch from object {@code from} to object {@code to}: removed members as null, nested objects recursively. */
    public static ObjectNode diff(ObjectNode from, ObjectNode to) {
        ObjectNode patch = JsonNodeFactory.instance.objectNode();
        TreeSet<String> names = new TreeSet<>();
        from.fieldNames().forEachRemaining(names::add);
        to.fieldNames().forEachRemaining(names::add);
        for (String name : names) {
            JsonNode before = from.get(name);
            JsonNode after = to.get(name);
            if (after == null) {
                patch.putNull(name);
            } else if (before != null && before.isObject() && after.isObject()) {
                ObjectNode nested = diff((ObjectNode) before, (ObjectNode) after);
                if (!nested.isEmpty()) {
                    patch.set(name, nested);
                }
            } else if (!after.equals(before)) {
                patch.set(name, after.deepCopy());
            }
        }
        return patch;
    }
}
