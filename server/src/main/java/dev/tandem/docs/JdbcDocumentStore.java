package dev.tandem.docs;

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
 * in one transaction, so a crash leaves either the old rows or the new one. A room is served by one node at a
 * time (documents are not relayed between nodes), so that node's worker sees every row of its rooms.
 */
public final class JdbcDocumentStore extends QueuedDocumentStore {
    private final DataSource dataSource;

    public JdbcDocumentStore(DataSource dataSource, DocumentStoreListener listener) {
        super("tandem-docs-jdbc", listener);
        this.dataSource = dataSource;
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
            deleteRows(connection, room);
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO doc_updates (room, data, created_at) VALUES (?, ?, ?)")) {
                insert.setString(1, room);
                insert.setBytes(2, compacted);
                insert.setLong(3, System.currentTimeMillis());
                insert.executeUpdate();
            }
        });
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
