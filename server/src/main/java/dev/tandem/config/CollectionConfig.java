package dev.tandem.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One collection of live records as declared under {@code collections.<name>}. Absent keys take the
 * defaults of {@code entities} (resolved by {@code dev.tandem.entities.CollectionPolicy}).
 *
 * @param conflict       {@code reject} (409 on a stale version, the default), {@code merge} (three-way, field
 *                       level, against the base version) or {@code lww} (last write wins)
 * @param read           who may read records and receive their events: {@code anonymous}, {@code authenticated},
 *                       {@code role:NAME}, {@code owner} (the record's {@code ownerField} is the user),
 *                       {@code members} (the user is in the record's {@code membersField} list)
 * @param write          who may create, change and delete records (same rules)
 * @param ownerField     field of {@code data} holding the owner's user id (default {@code owner})
 * @param membersField   field of {@code data} holding a list of member user ids (default {@code members})
 * @param schema         optional JSON Schema of {@code data}: an inline mapping, or a file path
 * @param historyDepth   versions kept per record as merge bases (default {@code entities.historyDepth})
 * @param partialUpdates {@code entity:updated} events carry only the changed fields of {@code data}
 */
public record CollectionConfig(String conflict, List<String> read, List<String> write, String ownerField,
                               String membersField, JsonNode schema, Integer historyDepth, Boolean partialUpdates) {
}
