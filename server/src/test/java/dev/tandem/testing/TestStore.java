package dev.tandem.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The two durable stores tests run against: embedded H2 in a fresh directory, and the real PostgreSQL on
 * 127.0.0.1:5432 (database {@code test}, user {@code postgres}) in a schema of its own per test, so that
 * concurrent test runs never see each other's rows. Schemas are dropped when the test JVM exits.
 */
public enum TestStore {
    H2, POSTGRES;

    public static final String POSTGRES_URL = "jdbc:postgresql://127.0.0.1:5432/test";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final List<String> SCHEMAS = new CopyOnWriteArrayList<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(TestStore::dropSchemas, "drop-test-schemas"));
    }

    /** Config overrides selecting a new, empty store of this kind (with its own data dir). */
    public Map<String, String> fresh() {
        Map<String, String> overrides = new HashMap<>();
        overrides.put("dataDir", freshDirectory().toString());
        if (this == POSTGRES) {
            String schema = "tandem_test_" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36);
            SCHEMAS.add(schema);
            overrides.put("store.postgres.url", POSTGRES_URL);
            overrides.put("store.postgres.user", "postgres");
            overrides.put("store.postgres.schema", schema);
        }
        return overrides;
    }

    /** A new empty directory under the system temp dir. */
    public static Path freshDirectory() {
        try {
            return Files.createTempDirectory("tandem-test-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void dropSchemas() {
        if (SCHEMAS.isEmpty()) {
            return;
        }
        try (Connection connection = DriverManager.getConnection(POSTGRES_URL, "postgres", "");
             Statement statement = connection.createStatement()) {
            for (String schema : SCHEMAS) {
                statement.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
            }
        } catch (SQLException e) {
            System.err.println("could not drop test schemas " + SCHEMAS + ": " + e.getMessage());
        }
    }
}
