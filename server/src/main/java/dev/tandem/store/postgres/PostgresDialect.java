package dev.tandem.store.postgres;

import dev.tandem.store.IdClaim;
import dev.tandem.store.SqlDialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * PostgreSQL, possibly shared by several server nodes: a batch's seq counters are one upsert that locks the
 * channels' rows and returns the new values, and its client message id claims are one insert that yields on
 * conflict (after waiting for a concurrent claimer to commit), so nodes never hand out the same seq or accept
 * the same message twice. Each is one statement because a group commit's time here is mostly round trips.
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

    /**
     * One statement for every id of the batch, for the reason {@link #allocate} is one. The rows go in sorted by
     * channel and id, so two nodes claiming overlapping ids wait for each other in one order, never in a cycle.
     */
    @Override
    public boolean[] claim(Connection connection, List<IdClaim> claims) throws SQLException {
        Map<String, Integer> indexOf = new HashMap<>(claims.size() * 2);
        for (int i = 0; i < claims.size(); i++) {
            indexOf.put(claims.get(i).key(), i);
        }
        List<IdClaim> sorted = new ArrayList<>(claims);
        sorted.sort(Comparator.comparing(IdClaim::channel).thenComparing(IdClaim::clientMsgId));
        String[] channels = new String[sorted.size()];
        String[] ids = new String[sorted.size()];
        String[] messages = new String[sorted.size()];
        Long[] times = new Long[sorted.size()];
        for (int n = 0; n < sorted.size(); n++) {
            IdClaim claim = sorted.get(n);
            channels[n] = claim.channel();
            ids[n] = claim.clientMsgId();
            messages[n] = claim.messageId();
            times[n] = claim.createdAt();
        }
        boolean[] claimed = new boolean[claims.size()];
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO client_msg_ids (channel, client_msg_id, message_id, created_at) "
                        + "SELECT channel, id, message, at FROM unnest(?::text[], ?::text[], ?::text[], ?::bigint[]) "
                        + "WITH ORDINALITY AS batch(channel, id, message, at, n) ORDER BY n "
                        + "ON CONFLICT (channel, client_msg_id) DO NOTHING RETURNING channel, client_msg_id")) {
            insert.setArray(1, connection.createArrayOf("text", channels));
            insert.setArray(2, connection.createArrayOf("text", ids));
            insert.setArray(3, connection.createArrayOf("text", messages));
            insert.setArray(4, connection.createArrayOf("bigint", times));
            try (ResultSet rs = insert.executeQuery()) {
                while (rs.next()) {
                    claimed[indexOf.get(IdClaim.key(rs.getString(1), rs.getString(2)))] = true;
                }
            }
        }
        return claimed;
    }

    @Override
    public void maintainPartitions(Connection connection, long now, long keepAfter) throws SQLException {
        MonthlyPartitions.maintain(connection, now, keepAfter);
    }
}
