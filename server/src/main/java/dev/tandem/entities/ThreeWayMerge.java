package dev.tandem.entities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The {@code merge} conflict strategy: a write based on an older version applies when the fields it changes
 * do not overlap the fields changed since that base.
 *
 * <p>Both sides are reduced to merge patches against the base ({@code mine}: what the writer changed;
 * {@code theirs}: base → current), then compared leaf by leaf. Two changes overlap when their paths are equal
 * or one is a prefix of the other (a nested object replaced on one side, one of its fields changed on the
 * other); an overlap where both sides ended at the same value is no conflict. Deleting a field is a change
 * to it like any other ({@code null} in the patch). With no conflict, {@code mine} is applied to the current
 * version, so every change committed since the base survives.
 */
public final class ThreeWayMerge {
    private ThreeWayMerge() {
    }

    /**
     * One overlapping field.
     *
     * @param path   {@code /}-separated path inside {@code data}
     * @param base   its value in the base version (null node when absent)
     * @param mine   the value the writer wanted (null node: removed)
     * @param theirs its value in the current version (null node when absent)
     */
    public record FieldConflict(String path, JsonNode base, JsonNode mine, JsonNode theirs) {
    }

    /**
     * The outcome: the merged data, or the conflicts (then {@code merged} is null).
     *
     * @param merged    the data to store
     * @param conflicts overlapping fields, empty when merged
     */
    public record Result(ObjectNode merged, List<FieldConflict> conflicts) {
        public boolean clean() {
            return conflicts.isEmpty();
        }
    }

    /** Merges {@code minePatch} (a merge patch against {@code base}) into {@code current}. */
    public static Result merge(ObjectNode base, ObjectNode current, ObjectNode minePatch) {
        ObjectNode mineResult = (ObjectNode) MergePatch.apply(base, minePatch);
        ObjectNode mine = MergePatch.diff(base, mineResult);
        ObjectNode theirs = MergePatch.diff(base, current);
        List<FieldConflict> conflicts = new ArrayList<>();
        collect("", mine, theirs, base, mineResult, current, conflicts);
        if (!conflicts.isEmpty()) {
            return new Result(null, List.copyOf(conflicts));
        }
        return new Result((ObjectNode) MergePatch.apply(current, mine), List.of());
    }

    private static void collect(String prefix, ObjectNode mine, ObjectNode theirs, JsonNode base, JsonNode mineResult,
                                JsonNode current, List<FieldConflict> conflicts) {
        Iterator<Map.Entry<String, JsonNode>> members = mine.fields();
        while (members.hasNext()) {
            Map.Entry<String, JsonNode> member = members.next();
            String name = member.getKey();
            JsonNode theirsChange = theirs.get(name);
            if (theirsChange == null) {
                continue;
            }
            String path = prefix + name;
            JsonNode minesChange = member.getValue();
            if (minesChange.isObject() && theirsChange.isObject()) {
                collect(path + "/", (ObjectNode) minesChange, (ObjectNode) theirsChange, child(base, name),
                        child(mineResult, name), child(current, name), conflicts);
                continue;
            }
            JsonNode mineValue = child(mineResult, name);
            JsonNode theirValue = child(current, name);
            if (!mineValue.equals(theirValue)) {
                conflicts.add(new FieldConflict(path, child(base, name), mineValue, theirValue));
            }
        }
    }

    private static JsonNode child(JsonNode node, String name) {
        JsonNode value = node == null ? null : node.get(name);
        return value == null ? NullNode.getInstance() : value;
    }
}
