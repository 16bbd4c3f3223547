package dev.tandem.entities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.config.EntitiesConfig;
import dev.tandem.hub.Hub;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.store.Store;
import dev.tandem.store.TransactionalWrite;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Live records for both front doors (REST and native commands): validates a write, runs it through the
 * store's group-commit writer as one {@link EntityWrite} (record and change events in one transaction, never
 * on an event loop), and turns a refusal into a {@link ProtocolException} whose {@code details} carry the
 * current record, the conflicting fields or the schema violations. Reads run on the store's reader threads
 * and apply the collection's read rule to every record they return.
 */
public final class EntityService {
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_.@=,-]{1,128}");
    /** Most rows one list request scans looking for matches, so a selective filter cannot pin a reader. */
    private static final int MAX_SCAN = 10_000;
    private static final AttributeKey<String> COLLECTION = AttributeKey.stringKey("tandem.collection");
    private static final AttributeKey<String> RECORD = AttributeKey.stringKey("tandem.record");
    private static final AttributeKey<String> OPERATION = AttributeKey.stringKey("tandem.operation");

    private final Hub hub;
    private final Store store;
    private final CollectionCatalog catalog;
    private final EntitiesConfig config;
    private final Clock clock;

    public EntityService(Hub hub, Store store, CollectionCatalog catalog, EntitiesConfig config, Clock clock) {
        this.hub = hub;
        this.store = store;
        this.catalog = catalog;
        this.config = config;
        this.clock = clock;
    }

    public CollectionCatalog catalog() {
        return catalog;
    }

    /** Creates a record; {@code id} null picks a UUID. */
    public CompletableFuture<EntityRecord> create(String collection, String id, JsonNode data, Actor actor) {
        return write(WriteRequest.Kind.CREATE, collection, id == null ? UUID.randomUUID().toString() : id, null, data, actor);
    }

    /** Replaces a record's data; {@code version} is the version the data was edited from. */
    public CompletableFuture<EntityRecord> update(String collection, String id, long version, JsonNode data, Actor actor) {
        return write(WriteRequest.Kind.UPDATE, collection, id, version, data, actor);
    }

    /** Applies an RFC 7396 merge patch made against {@code baseVersion}. */
    public CompletableFuture<EntityRecord> patch(String collection, String id, long baseVersion, JsonNode patch, Actor actor) {
        return write(WriteRequest.Kind.PATCH, collection, id, baseVersion, patch, actor);
    }

    /** Deletes a record, checking {@code version} when non-null. */
    public CompletableFuture<EntityRecord> delete(String collection, String id, Long version, Actor actor) {
        return write(WriteRequest.Kind.DELETE, collection, id, version, null, actor);
    }

    private CompletableFuture<EntityRecord> write(WriteRequest.Kind kind, String collection, String id, Long version,
                                                  JsonNode body, Actor actor) {
        CollectionPolicy policy = catalog.forWrite(collection);
        validateId(id);
        if (kind != WriteRequest.Kind.DELETE) {
            requireObject(body, kind == WriteRequest.Kind.PATCH ? "patch" : "data");
            int bytes = body.toString().getBytes(StandardCharsets.UTF_8).length;
            if (bytes > config.maxDocumentBytes()) {
                throw new ProtocolException(ErrorCode.TOO_LARGE,
                        "record data is " + bytes + " bytes; the limit is " + config.maxDocumentBytes());
            }
        }
        WriteRequest request = new WriteRequest(kind, policy, id, version, (ObjectNode) body, actor);
        Attributes attributes = Attributes.of(COLLECTION, policy.name(), RECORD, id, OPERATION, kind.name().toLowerCase());
        return hub.tracing().traced("tandem.entity.write", attributes,
                        () -> hub.write(new EntityWrite(request, clock.millis(), config.maxDocumentBytes())))
                .thenApply(committed -> outcome(committed.result()));
    }

    /** Emits {@code entity:refresh} on {@code entity:{collection}}: subscribers reload. */
    public CompletableFuture<Long> refresh(String collection) {
        CollectionPolicy policy = catalog.forWrite(collection);
        long now = clock.millis();
        TransactionalWrite<Void> refresh = connection -> new TransactionalWrite.Staged<>(null,
                List.of(EntityEvents.refresh(policy.name(), now)));
        return hub.write(refresh).thenApply(committed -> committed.events().get(0).seq());
    }

    /** One record, when it exists and {@code actor} may read it; else {@code not_found}. */
    public CompletableFuture<EntityRecord> get(String collection, String id, Actor actor) {
        CollectionPolicy policy = catalog.forRead(collection);
        validateId(id);
        return store.read(connection -> {
            EntityRecord record = EntityStore.load(connection, policy.name(), id, false);
            if (record == null || !policy.mayRead(actor, record.data())) {
                throw new ProtocolException(ErrorCode.NOT_FOUND, "no record " + id + " in " + policy.name());
            }
            return record;
        });
    }

    /**
     * A page of records {@code actor} may read that match every filter.
     *
     * @param records the page
     * @param next    cursor of the next page, or null at the end
     */
    public record Page(List<EntityRecord> records, String next) {
    }

    public CompletableFuture<Page> list(String collection, ListQuery query, Actor actor) {
        CollectionPolicy policy = catalog.forRead(collection);
        return store.read(connection -> {
            List<EntityRecord> matches = new ArrayList<>();
            ListQuery.Cursor position = query.after();
            int scanned = 0;
            int chunk = Math.min(MAX_SCAN, Math.max(query.limit() + 1, 100));
            while (true) {
                List<EntityRecord> rows = EntityStore.scan(connection, policy.name(), query.sort(), query.descending(),
                        position, chunk);
                for (EntityRecord row : rows) {
                    scanned++;
                    position = ListQuery.Cursor.of(query.sort(), row);
                    if (matches(row, query.filters()) && policy.mayRead(actor, row.data())) {
                        matches.add(row);
                        if (matches.size() == query.limit()) {
                            return new Page(matches, position.encode());
                        }
                    }
                }
                if (rows.size() < chunk) {
                    return new Page(matches, null);
                }
                if (scanned >= MAX_SCAN) {
                    return new Page(matches, position.encode());
                }
            }
        });
    }

    private static boolean matches(EntityRecord record, Map<String, String> filters) {
        for (Map.Entry<String, String> filter : filters.entrySet()) {
            JsonNode value = record.data().get(filter.getKey());
            if (value == null || !(value.isValueNode() ? value.asText() : value.toString()).equals(filter.getValue())) {
                return false;
            }
        }
        return true;
    }

    private static EntityRecord outcome(WriteOutcome outcome) {
        WriteOutcome.Refusal refusal = outcome.refusal();
        if (refusal == null) {
            return outcome.record();
        }
        throw new ProtocolException(refusal.code(), refusal.message(), details(refusal));
    }

    /** {@code {current?, fields?, errors?}} of a refusal, or null when there is nothing to add. */
    static ObjectNode details(WriteOutcome.Refusal refusal) {
        if (refusal.current() == null && refusal.fields().isEmpty() && refusal.violations().isEmpty()) {
            return null;
        }
        ObjectNode details = FrameCodec.JSON.createObjectNode();
        if (refusal.current() != null) {
            details.set("current", refusal.current().toJson());
        }
        if (!refusal.fields().isEmpty()) {
            ArrayNode fields = details.putArray("fields");
            for (ThreeWayMerge.FieldConflict f : refusal.fields()) {
                fields.addObject().put("path", f.path()).<ObjectNode>set("base", f.base()).<ObjectNode>set("mine", f.mine())
                        .set("theirs", f.theirs());
            }
        }
        if (!refusal.violations().isEmpty()) {
            ArrayNode errors = details.putArray("errors");
            refusal.violations().forEach(v -> errors.addObject().put("path", v.path()).put("message", v.message()));
        }
        return details;
    }

    private static void validateId(String id) {
        if (id == null || !ID.matcher(id).matches()) {
            throw ProtocolException.badRequest("'id' must be 1-128 characters of A-Z a-z 0-9 _ . @ = , -");
        }
    }

    private static void requireObject(JsonNode body, String field) {
        if (body == null || !body.isObject()) {
            throw ProtocolException.badRequest("'" + field + "' is required and must be a JSON object");
        }
    }
}
