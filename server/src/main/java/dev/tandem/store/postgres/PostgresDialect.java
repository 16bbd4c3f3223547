package dev.tandem.store.postgres;

import dev.tandem.store.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;

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

    /**
     * One statement for every channel of the batch: a round trip to the database per channel was most of a group
     * commit's time when a batch spread over many channels (64 publishers on their own channels: ~9 channels a
     * batch, ~2 ms a commit, the writer busy nearly all the time at 5,000 publications/s). The rows are upserted,
     * and so locked, in the order of the arrays, which is the map's.
     */
    @Override
    public Map<String, Long> allocate(Connection connection, SortedMap<String, Integer> counts) throws SQLException {
        String[] channels = counts.keySet().toArray(String[]::new);
        Long[] sizes = counts.values().stream().map(Integer::longValue).toArray(Long[]::new);
        try (PreparedStatement upsert = connection.prepareStatement(
                "INSERT INTO channel_seq (channel, seq) "
                        + "SELECT channel, size FROM unnest(?::text[], ?::bigint[]) WITH ORDINALITY AS batch(channel, size, n) "
                        + "ORDER BY n "
                        + "ON CONFLICT (channel) DO UPDATE SET seq = channel_seq.seq + EXCLUDED.seq RETURNING channel, seq")) {
            upsert.setArray(1, connection.createArrayOf("text", channels));
            upsert.setArray(2, connection.createArrayOf("bigint", sizes));
            Map<String, Long> last = new HashMap<>(channels.length * 2);
            try (ResultSet rs = upsert.executeQuery()) {
                while (rs.next()) {
                    last.put(rs.getString(1), rs.getLong(2));
                }
            }
            return last;
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
