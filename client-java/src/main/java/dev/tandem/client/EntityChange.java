package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * A committed change of a live record, from the durable channel {@code entity:{collection}} (docs/entities.md,
 * Change events), delivered in commit order and exactly once by the subscription.
 *
 * @param kind       what happened
 * @param collection the collection
 * @param id         the record id (null for {@link Kind#REFRESH})
 * @param version    the record's version after the change (0 for {@link Kind#REFRESH})
 * @param record     the record after the change (as it was, for a delete); null for {@link Kind#REFRESH}. With
 *                   {@code partialUpdates} collections, an update carries only the changed fields in
 *                   {@code data}: apply it as a merge patch
 * @param changed    top-level fields of {@code data} that differ from the previous version
 * @param seq        the event's seq on {@code entity:{collection}}
 */
public record EntityChange(Kind kind, String collection, String id, long version, EntityRecord record,
                           List<String> changed, long seq) {

    /** The change event types. */
    public enum Kind {
        CREATED, UPDATED, DELETED, /** reload the collection: the server asked every client to. */ REFRESH
    }

    /** The change a publication on {@code entity:*} describes, or null when it is not one. */
    static EntityChange from(Publication publication) {
        JsonNode p = publication.payload();
        if (p == null) {
            return null;
        }
        Kind kind = switch (p.path("type").asText()) {
            case "entity:created" -> Kind.CREATED;
            case "entity:updated" -> Kind.UPDATED;
            case "entity:deleted" -> Kind.DELETED;
            case "entity:refresh" -> Kind.REFRESH;
            default -> null;
        };
        if (kind == null) {
            return null;
        }
        List<String> changed = new ArrayList<>();
        p.path("changed").forEach(field -> changed.add(field.asText()));
        return new EntityChange(kind, p.path("collection").asText(), p.path("id").asText(null), p.path("version").asLong(),
                EntityRecord.from(p.get("record")), List.copyOf(changed), publication.seq());
    }
}
