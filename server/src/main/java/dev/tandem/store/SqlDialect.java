package dev.tandem.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The few statements where H2 and PostgreSQL differ; everything else in {@link JdbcStore} is one SQL code
 * path. Both methods run inside the caller's transaction.
 */
public interface SqlDialect {

    /** Folder under {@code db/} holding this database's migrations. */
    String name();

    /**
     * Reserves {@code counts.get(c)} seqs for each channel {@code c}, locking the channels' counter rows in the
     * map's order, and returns the last seq reserved for each. The rows stay locked until the transaction ends,
     * so concurrent writers (threads or server nodes) get disjoint ranges and commit them in allocation order;
     * taking them in one order (by name) keeps two writers from deadlocking.
     */
    Map<String, Long> allocate(Connection connection, SortedMap<String, Integer> counts) throws SQLException;

    /**
     * Claims each client message id for its message: {@code claimed[i]} is false when the channel already had
     * {@code claims.get(i)}'s id (claimed earlier, by another transaction or node). The ids are distinct. Never
     * raises a unique violation, which would abort the whole group-committed batch.
     */
    boolean[] claim(Connection connection, List<IdClaim> claims) throws SQLException;

    /**
     * Keeps the events table's storage in shape for time {@code now}: PostgreSQL creates the monthly
     * partitions ahead and drops empty ones older than {@code keepAfter}; H2 has nothing to do.
     */
    default void maintainPartitions(Connection connection, long now, long keepAfter) throws SQLException {
    }
}
