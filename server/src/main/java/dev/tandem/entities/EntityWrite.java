package dev.tandem.entities;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.store.Append;
import dev.tandem.store.TransactionalWrite;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * One write of a live record as the group-commit writer runs it, inside its transaction: lock and read the
 * current record, check write access, resolve the version against the collection's conflict strategy,
 * store the new version (and keep it as a merge base), and return the two change events. Anything refused
 * returns a {@link WriteOutcome.Refusal} before a row is touched. Because the writer runs writes one after
 * another and the record row is locked ({@code FOR UPDATE}) until commit, two writes based on the same
 * version can never both pass the version check, on one node or on several sharing PostgreSQL.
 */
final class EntityWrite implements TransactionalWrite<WriteOutcome> {
    private final WriteRequest request;
    private final long now;
    private final int maxDocumentBytes;

    EntityWrite(WriteRequest request, long now, int maxDocumentBytes) {
        this.request = request;
        this.now = now;
        this.maxDocumentBytes = maxDocumentBytes;
    }

    @Override
    public Staged<WriteOutcome> apply(Connection connection) throws SQLException {
        CollectionPolicy policy = request.policy();
        EntityRecord current = EntityStore.load(connection, policy.name(), request.id(), true);
        if (request.kind() == WriteRequest.Kind.CREATE) {
            return create(connection, current);
        }
        if (current == null || !policy.mayRead(request.actor(), current.data())) {
            return refused(WriteOutcome.refused(ErrorCode.NOT_FOUND,
                    "no record " + request.id() + " in " + policy.name(), null));
        }
        if (!policy.mayWrite(request.actor(), current.data())) {
            return refused(WriteOutcome.refused(ErrorCode.FORBIDDEN,
                    "not allowed to change " + request.id() + " in " + policy.name(), null));
        }
        if (request.kind() == WriteRequest.Kind.DELETE) {
            return delete(connection, current);
        }
        Resolution resolution = resolve(connection, current);
        if (resolution.refusal() != null) {
            return refused(resolution.refusal());
        }
        WriteOutcome invalid = check(resolution.data(), current);
        if (invalid != null) {
            return refused(invalid);
        }
        EntityRecord next = new EntityRecord(current.id(), current.version() + 1, current.createdAt(), now,
                request.actor().userId(), resolution.data());
        EntityStore.update(connection, policy.name(), next);
        EntityStore.keepVersion(connection, policy.name(), next, policy.historyDepth());
        return done(next, EntityEvents.change("entity:updated", policy, next, current.data(), now));
    }

    private Staged<WriteOutcome> create(Connection connection, EntityRecord current) throws SQLException {
        CollectionPolicy policy = request.policy();
        if (current != null) {
            boolean visible = policy.mayRead(request.actor(), current.data());
            return refused(WriteOutcome.refused(ErrorCode.CONFLICT, "a record " + request.id() + " already exists in "
                    + policy.name(), visible ? current : null));
        }
        if (!policy.mayWrite(request.actor(), request.body())) {
            return refused(WriteOutcome.refused(ErrorCode.FORBIDDEN, "not allowed to create this record in " + policy.name(), null));
        }
        WriteOutcome invalid = check(request.body(), null);
        if (invalid != null) {
            return refused(invalid);
        }
        EntityRecord created = new EntityRecord(request.id(), 1, now, now, request.actor().userId(), request.body());
        EntityStore.insert(connection, policy.name(), created);
        EntityStore.keepVersion(connection, policy.name(), created, policy.historyDepth());
        return done(created, EntityEvents.change("entity:created", policy, created, null, now));
    }

    private Staged<WriteOutcome> delete(Connection connection, EntityRecord current) throws SQLException {
        CollectionPolicy policy = request.policy();
        Long expected = request.version();
        if (expected != null && expected != current.version() && policy.conflict() != ConflictStrategy.lww) {
            return refused(WriteOutcome.refused(ErrorCode.CONFLICT, "version " + expected + " of " + current.id()
                    + " is stale; the current version is " + current.version(), current));
        }
        EntityStore.delete(connection, policy.name(), current.id());
        EntityRecord gone = new EntityRecord(current.id(), current.version() + 1, current.createdAt(), now,
                request.actor().userId(), current.data());
        return done(gone, EntityEvents.change("entity:deleted", policy, gone, current.data(), now));
    }

    /** The data an update or patch comes to under the collection's conflict strategy. */
    private Resolution resolve(Connection connection, EntityRecord current) throws SQLException {
        CollectionPolicy policy = request.policy();
        boolean patch = request.kind() == WriteRequest.Kind.PATCH;
        long base = request.version();
        if (base == current.version() || policy.conflict() == ConflictStrategy.lww) {
            return new Resolution(patch ? (ObjectNode) MergePatch.apply(current.data(), request.body()) : request.body(), null);
        }
        String stale = "version " + base + " of " + current.id() + " is stale; the current version is " + current.version();
        if (policy.conflict() == ConflictStrategy.reject || base > current.version()) {
            return new Resolution(null, WriteOutcome.refused(ErrorCode.CONFLICT, stale, current));
        }
        ObjectNode baseData = EntityStore.version(connection, policy.name(), current.id(), base);
        if (baseData == null) {
            return new Resolution(null, WriteOutcome.refused(ErrorCode.CONFLICT,
                    stale + ", and version " + base + " is no longer kept to merge against", current));
        }
        ObjectNode mine = patch ? request.body() : MergePatch.diff(baseData, request.body());
        ThreeWayMerge.Result merged = ThreeWayMerge.merge(baseData, current.data(), mine);
        if (!merged.clean()) {
            return new Resolution(null, WriteOutcome.conflicts(stale + ", and the changes since overlap yours",
                    current, merged.conflicts()));
        }
        return new Resolution(merged.merged(), null);
    }

    /** Size and schema of the data about to be stored; null when fine. */
    private WriteOutcome check(ObjectNode data, EntityRecord current) {
        int bytes = data.toString().getBytes(StandardCharsets.UTF_8).length;
        if (bytes > maxDocumentBytes) {
            return WriteOutcome.refused(ErrorCode.TOO_LARGE,
                    "record data is " + bytes + " bytes; the limit is " + maxDocumentBytes, current);
        }
        DataSchema schema = request.policy().schema();
        if (schema != null) {
            List<DataSchema.Violation> violations;
            try {
                violations = schema.violations(data);
            } catch (RuntimeException e) {
                // a validator failure must refuse this write, not fail the batch it shares with others
                violations = List.of(new DataSchema.Violation("", "the schema could not be applied: " + e.getMessage()));
            }
            if (!violations.isEmpty()) {
                return WriteOutcome.invalid("record data does not match the collection's schema", violations);
            }
        }
        return null;
    }

    private static Staged<WriteOutcome> refused(WriteOutcome outcome) {
        return new Staged<>(outcome, List.of());
    }

    private static Staged<WriteOutcome> done(EntityRecord record, List<Append> events) {
        return new Staged<>(WriteOutcome.done(record), events);
    }

    private record Resolution(ObjectNode data, WriteOutcome refusal) {
    }
}
