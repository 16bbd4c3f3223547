package dev.tandem.docs;

import dev.tandem.yjs.YUpdates;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * A {@link DocumentStore} in the durable store's database (H2 or PostgreSQL, table {@code doc_updates} from
 * migration {@code V3__documents}): one row per update, ordered by an identity column; the default whenever
 * the store is JDBC.
 *
 * <p>Design: the {@link QueuedDocumentStore} worker is the only thread that touches the table for this node,
 * so JDBC never runs on an event loop. A batch of appends is one JDBC batch in one transaction (group commit),
 * committed before any of them completes. A compaction deletes the room's rows and inserts the merged update
 * in one transaction, so a crash leaves either the old rows or the new one. On a single node the room's
 * memory holds every row, so the compaction replaces them all. In a cluster ({@code shared}) several nodes may
 * hold the room and each appends its own editors' updates, so a compaction merges the rows it finds into the
 * compacted update and deletes exactly those rows: an update another node appended meanwhile (or that was never
 * relayed here) is neither lost nor, thanks to Yjs' idempotent merge, doubled.
 */
public final class JdbcDocumentStore extends QueuedDocumentStore {
    private final DataSource dataSource;
    private final boolean shared;

    public JdbcDocumentStore(DataSource dataSource, DocumentStoreListener listener) {
        this(dataSource, listener, false);
    }

    /** @param shared whether other nodes write the same rooms (a cluster) */
    public JdbcDocumentStore(DataSource dataSource, DocumentStoreListener listener, boolean shared) {
        super("tandem-docs-jdbc", listener);
        this.dataSource = dataSource;
        this.shared = shared;
        start();
    }

    @Override
    protected List<byte[]> read(String room) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT data FROM doc_updates WHERE room = ? ORDER BY id")) {
            select.setString(1, room);
            List<byte[]> updates = new ArrayList<>();
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    updates.add(rs.getBytes(1));
                }
            }
            return updates;
        }
    }

    @Override
    protected void write(List<RoomUpdate> batch) throws SQLException {
        inTransaction(connection -> {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO doc_updates (room, data, created_at) VALUES (?, ?, ?)")) {
                long now = System.currentTimeMillis();
                for (RoomUpdate u : batch) {
                    insert.setString(1, u.room());
                    insert.setBytes(2, u.update());
                    insert.setLong(3, now);
                    insert.addBatch();
                }
                insert.executeBatch();
            }
        });
    }

    @Override
    protected void replace(String room, byte[] compacted) throws SQLException {
        inTransaction(connection -> {
            byte[] replacement = compacted;
            if (shared) {
                replacement = mergeAndDeleteRows(connection, room, compacted);
            } else {
                deleteRows(connection, room);
            }
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO doc_updates (room, data, created_at) VALUES (?, ?, ?)")) {
                insert.setString(1, room);
                insert.setBytes(2, replacement);
                insert.setLong(3, System.currentTimeMillis());
                insert.executeUpdate();
            }
        });
    }

    /** Cluster: {@code compacted} merged with the room's rows, which are deleted (those rows only, by id). */
    private static byte[] mergeAndDeleteRows(Connection connection, String room, byte[] compacted) throws SQLException {
        List<Long> ids = new ArrayList<>();
        List<byte[]> updates = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT id, data FROM doc_updates WHERE room = ? ORDER BY id")) {
            select.setString(1, room);
            try (ResultSet rs = select.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                    updates.add(rs.getBytes(2));
                }
            }
        }
        if (ids.isEmpty()) {
            return compacted;
        }
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM doc_updates WHERE id = ?")) {
            for (long id : ids) {
                delete.setLong(1, id);
                delete.addBatch();
            }
            delete.executeBatch();
        }
        updates.add(compacted);
        return YUpdates.merge(updates);
    }

    @Override
    protected void remove(String room) throws SQLException {
        inTransaction(connection -> deleteRows(connection, room));
    }

    /** The data source belongs to the durable store, which closes it. */
    @Override
    protected void release() {
    }

    private static void deleteRows(Connection connection, String room) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement("DELETE FROM doc_updates WHERE room = ?")) {
            delete.setString(1, room);
            delete.executeUpdate();
        }
    }

    private void inTransaction(SqlWork work) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                work.run(connection);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    @FunctionalInterface
    private interface SqlWork {
        void run(Connection connection) throws SQLException;
    }
}
