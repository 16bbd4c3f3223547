package dev.tandem.store.h2;

import dev.tandem.store.IdClaim;
import dev.tandem.store.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Embedded H2. Only this process opens the database file and only the store's single writer thread writes,
 * so "update, else insert" needs no conflict handling.
 */
public final class H2Dialect implements SqlDialect {

    @Override
    public String name() {
        return "h2";
    }

    /** One statement when the channel has a counter row (the usual case): the update hands back the new seq. */
    @Override
    public Map<String, Long> allocate(Connection connection, SortedMap<String, Integer> counts) throws SQLException {
        // Embedded: a statement per channel costs no round trip.
        Map<String, Long> last = new HashMap<>();
        for (Map.Entry<String, Integer> channel : counts.entrySet()) {
            last.put(channel.getKey(), allocate(connection, channel.getKey(), channel.getValue()));
        }
        return last;
    }

    private static long allocate(Connection connection, String channel, int count) throws SQLException {
        try (PreparedStatement update = connection.prepareStatement(
                "SELECT seq FROM FINAL TABLE (UPDATE channel_seq SET seq = seq + ? WHERE channel = ?)")) {
            update.setInt(1, count);
            update.setString(2, channel);
            try (ResultSet rs = update.executeQuery()) {
                if (rs.next()) {
                    return rs.getLong(1);
                }
            }
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO channel_seq (channel, seq) VALUES (?, ?)")) {
            insert.setString(1, channel);
            insert.setInt(2, count);
            insert.executeUpdate();
            return count;
        }
    }

    @Override
    public boolean[] claim(Connection connection, List<IdClaim> claims) throws SQLException {
        boolean[] claimed = new boolean[claims.size()];
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO client_msg_ids (channel, client_msg_id, message_id, created_at) "
                        + "SELECT ?, ?, ?, ? WHERE NOT EXISTS "
                        + "(SELECT 1 FROM client_msg_ids WHERE channel = ? AND client_msg_id = ?)")) {
            for (int i = 0; i < claims.size(); i++) {
                IdClaim claim = claims.get(i);
                insert.setString(1, claim.channel());
                insert.setString(2, claim.clientMsgId());
                insert.setString(3, claim.messageId());
                insert.setLong(4, claim.createdAt());
                insert.setString(5, claim.channel());
                insert.setString(6, claim.clientMsgId());
                claimed[i] = insert.executeUpdate() == 1;
            }
        }
        return claimed;
    }
}
