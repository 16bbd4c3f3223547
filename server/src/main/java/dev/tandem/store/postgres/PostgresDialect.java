package dev.tandem.store.postgres;

import dev.tandem.store.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * PostgreSQL, possibly shared by several server nodes: the seq counter is one upsert that locks the
 * channel's row and returns the new value, and a client message id claim is an insert that yields on
 * conflict (after waiting for a concurrent claimer to commit), so nodes never hand out the same seq or
 * accept the same message twice.
 */
public final class PostgresDialect implements SqlDialect {

    @Override
    public String name() {
        return "postgres";
    }

    @Override
    public long allocate(Connection connection, String channel, int count) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement(
                "INSERT INTO channel_seq (channel, seq) VALUES (?, ?) "
                        + "ON CONFLICT (channel) DO UPDATE SET seq = channel_seq.seq + EXCLUDED.seq RETURNING seq")) {
            upsert.setString(1, channel);
            upsert.setInt(2, count);
            try (ResultSet rs = upsert.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Override
    public boolean claim(Connection connection, String channel, String clientMsgId, String messageId, long now)
            throws SQLException {
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO client_msg_ids (channel, client_msg_id, message_id, created_at) VALUES (?, ?, ?, ?) "
                        + "ON CONFLICT (channel, client_msg_id) DO NOTHING")) {
            insert.setString(1, channel);
            insert.setString(2, clientMsgId);
            insert.setString(3, messageId);
            insert.setLong(4, now);
            return insert.executeUpdate() == 1;
        }
    }

    @Override
    public void maintainPartitions(Connection connection, long now, long keepAfter) throws SQLException {
        MonthlyPartitions.maintain(connection, now, keepAfter);
    }
}
