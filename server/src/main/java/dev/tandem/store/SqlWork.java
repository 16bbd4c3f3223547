package dev.tandem.store;

import java.sql.Connection;
import java.sql.SQLException;

/** Work on one JDBC connection that the store runs on one of its own threads. */
@FunctionalInterface
public interface SqlWork<T> {
    T run(Connection connection) throws SQLException;
}
