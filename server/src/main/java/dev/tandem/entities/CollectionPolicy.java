package dev.tandem.entities;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.auth.Identity;
import dev.tandem.config.CollectionConfig;
import dev.tandem.config.EntitiesConfig;
import java.util.List;

/**
 * The resolved policy of one collection: conflict strategy, read and write rules, record fields the rules
 * look at, merge history depth, event shape and optional schema. Built once from {@code collections.<name>}
 * (or the dev-mode default) and never changed.
 *
 * <p>A rule list allows when any rule does: {@code anonymous}, {@code authenticated} (in dev mode anonymous
 * users count as authenticated, as for channels), {@code role:NAME}, {@code owner} (the record's
 * {@code ownerField} equals the user id) and {@code members} (the user id is in the record's
 * {@code membersField} array). The first three do not look at the record: {@link #readsEverything} answers
 * them once per user, which is how change events avoid a policy evaluation per subscriber per event.
 *
 * @param name           collection name
 * @param conflict       conflict strategy
 * @param read           read rules
 * @param write          write rules
 * @param ownerField     field of {@code data} naming the owner
 * @param membersField   field of {@code data} listing members
 * @param historyDepth   versions kept per record
 * @param partialUpdates whether update events carry only the changed fields
 * @param schema         the data's JSON Schema, or null
 * @param dev            dev mode (anonymous counts as authenticated)
 */
public record CollectionPolicy(String name, ConflictStrategy conflict, List<String> read, List<String> write,
                               String ownerField, String membersField, int historyDepth, boolean partialUpdates,
                               DataSchema schema, boolean dev) {

    /** The policy of a declared collection, with absent keys taken from {@code entities}. */
    public static CollectionPolicy of(String name, CollectionConfig c, EntitiesConfig defaults, DataSchema schema,
                                      boolean dev) {
        return new CollectionPolicy(name,
                c.conflict() == null ? ConflictStrategy.reject : ConflictStrategy.valueOf(c.conflict()),
                c.read() == null ? List.of("authenticated") : List.copyOf(c.read()),
                c.write() == null ? List.of("authenticated") : List.copyOf(c.write()),
                c.ownerField() == null ? "owner" : c.ownerField(),
                c.membersField() == null ? "members" : c.membersField(),
                c.historyDepth() == null ? defaults.historyDepth() : c.historyDepth(),
                Boolean.TRUE.equals(c.partialUpdates()), schema, dev);
    }

    /** The policy of a collection created on first write in dev mode. */
    public static CollectionPolicy devDefault(String name, EntitiesConfig defaults) {
        return new CollectionPolicy(name, ConflictStrategy.reject, List.of("authenticated"), List.of("authenticated"),
                "owner", "members", defaults.historyDepth(), false, null, true);
    }

    /** Whether {@code actor} may read records with {@code data}. */
    public boolean mayRead(Actor actor, JsonNode data) {
        return allows(read, actor, data);
    }

    /** Whether {@code actor} may write records that have {@code data}. */
    public boolean mayWrite(Actor actor, JsonNode data) {
        return allows(write, actor, data);
    }

    /** Whether a read rule that ignores the record admits {@code who}: then every record is readable to them. */
    public boolean readsEverything(Identity who) {
        return who != null && read.stream().anyMatch(rule -> independentMatch(rule, who));
    }

    /** Whether any read rule looks at the record (owner, members): events then need per-subscriber filtering. */
    public boolean readDependsOnRecord() {
        return read.stream().anyMatch(rule -> rule.equals("owner") || rule.equals("members"));
    }

    /** Whether the record-dependent read rules admit user {@code userId} to a record with {@code data}. */
    public boolean recordAdmits(String userId, JsonNode data) {
        for (String rule : read) {
            if (recordMatch(rule, userId, data)) {
                return true;
            }
        }
        return false;
    }

    private boolean allows(List<String> rules, Actor actor, JsonNode data) {
        if (actor.isServer()) {
            return true;
        }
        Identity who = actor.identity();
        for (String rule : rules) {
            if (independentMatch(rule, who) || (authenticated(who) && recordMatch(rule, who.userId(), data))) {
                return true;
            }
        }
        return false;
    }

    private boolean independentMatch(String rule, Identity who) {
        return switch (rule) {
            case "anonymous" -> true;
            case "authenticated" -> authenticated(who);
            default -> rule.startsWith("role:") && who.hasRole(rule.substring(5));
        };
    }

    private boolean recordMatch(String rule, String userId, JsonNode data) {
        if (data == null) {
            return false;
        }
        return switch (rule) {
            case "owner" -> userId.equals(data.path(ownerField).asText(null));
            case "members" -> contains(data.path(membersField), userId);
            default -> false;
        };
    }

    private static boolean contains(JsonNode members, String userId) {
        if (!members.isArray()) {
            return false;
        }
        for (JsonNode member : members) {
            if (member.isTextual() && member.textValue().equals(userId)) {
                return true;
            }
        }
        return false;
    }

    private boolean authenticated(Identity who) {
        return !who.anonymous() || dev;
    }
}
