package dev.tandem.entities;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.FrameCodec;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The SQL of live records, on the durable store's connections (one SQL path for H2 and PostgreSQL; tables
 * {@code entities} and {@code entity_versions} from migration V2). Every method runs in its caller's
 * transaction: the group-commit writer's for changes, a reader's for queries. {@code entities} holds the
 * current version of each record; {@code entity_versions} the last {@code historyDepth} versions, which are
 * the bases a three-way merge needs.
 */
final class EntityStore {
    private static final String COLUMNS = "id, version, created_at, updated_at, updated_by, data";

    private EntityStore() {
    }

    /** The current record, locked for the rest of the transaction when {@code forUpdate}; null when absent. */
    static EntityRecord load(Connection connection, String collection, String id, boolean forUpdate) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement("SELECT " + COLUMNS
                + " FROM entities WHERE collection = ? AND id = ?" + (forUpdate ? " FOR UPDATE" : ""))) {
            select.setString(1, collection);
            select.setString(2, id);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? record(rs) : null;
            }
        }
    }

    /** The data of an earlier version, while it is kept; null when it is not. */
    static ObjectNode version(Connection connection, String collection, String id, long version) throws SQLException {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT data FROM entity_versions WHERE collection = ? AND id = ? AND version = ?")) {
            select.setString(1, collection);
            select.setString(2, id);
            select.setLong(3, version);
            try (ResultSet rs = select.executeQuery()) {
                return rs.next() ? parse(rs.getString(1)) : null;
            }
        }
    }

    static void insert(Connection connection, String collection, EntityRecord r) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO entities (collection, " + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            insert.setString(1, collection);
            insert.setString(2, r.id());
            insert.setLong(3, r.version());
            insert.setLong(4, r.createdAt());
            insert.setLong(5, r.updatedAt());
            insert.setString(6, r.updatedBy());
            insert.setString(7, r.data().toString());
            insert.executeUpdate();
        }
    }

    static void update(Connection connection, String collection, EntityRecord r) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement("UPDATE entities SET version = ?, updated_at = ?, "
                + "updated_by = ?, data = ? WHERE collection = ? AND id = ?")) {
            update.setLong(1, r.version());
            update.setLong(2, r.updatedAt());
            update.setString(3, r.updatedBy());
            update.setString(4, r.data().toString());
            update.setString(5, collection);
            update.setString(6, r.id());
            update.executeUpdate();
        }
    }

    /** Removes a record and its kept versions. */
    static void delete(Connection connection, String collection, String id) throws SQLException {
        for (String table : List.of("entities", "entity_versions")) {
            try (PreparedStatement delete = connection.prepareStatement(
                    "DELETE FROM " + table + " WHERE collection = ? AND id = ?")) {
                delete.setString(1, collection);
                delete.setString(2, id);
                delete.executeUpdate();
            }
        }
    }

    /** Keeps {@code r} as a merge base and forgets versions beyond {@code depth}. */
    static void keepVersion(Connection connection, String collection, EntityRecord r, int depth) throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO entity_versions (collection, id, version, data) VALUES (?, ?, ?, ?)")) {
            insert.setString(1, collection);
            insert.setString(2, r.id());
            insert.setLong(3, r.version());
            insert.setString(4, r.data().toString());
            insert.executeUpdate();
        }
        try (PreparedStatement trim = connection.prepareStatement(
                "DELETE FROM entity_versions WHERE collection = ? AND id = ? AND version <= ?")) {
            trim.setString(1, collection);
            trim.setString(2, r.id());
            trim.setLong(3, r.version() - depth);
            trim.executeUpdate();
        }
    }

    /**
     * Up to {@code limit} records after the cursor position in {@code sort} order (ties broken by id), for
     * list pages; the caller filters and pages on.
     */
    static List<EntityRecord> scan(Connection connection, String collection, ListQuery.Sort sort, boolean descending,
                                   ListQuery.Cursor after, int limit) throws SQLException {
        String column = sort.column();
        String op = descending ? "<" : ">";
        String order = descending ? " DESC" : "";
        StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM entities WHERE collection = ?");
        if (after != null) {
            sql.append(sort == ListQuery.Sort.id ? " AND id " + op + " ?"
                    : " AND (" + column + " " + op + " ? OR (" + column + " = ? AND id " + op + " ?))");
        }
        sql.append(" ORDER BY ").append(sort == ListQuery.Sort.id ? "id" + order : column + order + ", id" + order);
        sql.append(" LIMIT ?");
        try (PreparedStatement select = connection.prepareStatement(sql.toString())) {
            int i = 1;
            select.setString(i++, collection);
            if (after != null && sort == ListQuery.Sort.id) {
                select.setString(i++, after.id());
            } else if (after != null) {
                select.setLong(i++, after.value());
                select.setLong(i++, after.value());
                select.setString(i++, after.id());
            }
            select.setInt(i, limit);
            List<EntityRecord> records = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    records.add(record(rs));
                }
            }
            return records;
        }
    }

    private static EntityRecord record(ResultSet rs) throws SQLException {
        return new EntityRecord(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getString(5),
                parse(rs.getString(6)));
    }

    private static ObjectNode parse(String json) throws SQLException {
        try {
            return (ObjectNode) FrameCodec.JSON.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new SQLException("stored record data is not a JSON object: " + e.getMessage(), e);
        }
    }
}
