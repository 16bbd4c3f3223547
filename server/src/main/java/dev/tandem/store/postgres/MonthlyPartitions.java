package dev.tandem.store.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monthly partitions of PostgreSQL's events table ({@code events_yYYYYmMM}, ranges of
 * {@code created_at} in ms, UTC months): this month and the next {@value #AHEAD} exist before any row needs
 * them, and a partition whose whole month lies before the retention cutoff is dropped once the retention
 * run has archived and deleted its rows (only empty ones are dropped, so nothing unarchived is lost).
 */
final class MonthlyPartitions {
    private static final Logger LOG = LoggerFactory.getLogger(MonthlyPartitions.class);
    private static final Pattern NAME = Pattern.compile("events_y(\\d{4})m(\\d{2})");
    private static final int AHEAD = 2;

    private MonthlyPartitions() {
    }

    /**
     * Creates and drops partitions as needed. Several nodes of a cluster do this on one database (all at start),
     * and concurrent {@code CREATE TABLE IF NOT EXISTS} of the same partition still fails in PostgreSQL, so the
     * nodes take turns under an advisory lock per schema.
     */
    static void maintain(Connection connection, long now, long keepAfter) throws SQLException {
        advisoryLock(connection, "pg_advisory_lock");
        try {
            maintainLocked(connection, now, keepAfter);
        } finally {
            advisoryLock(connection, "pg_advisory_unlock");
        }
    }

    private static void advisoryLock(Connection connection, String function) throws SQLException {
        try (Statement lock = connection.createStatement()) {
            lock.execute("SELECT " + function + "(hashtext(current_schema() || '.tandem_partitions'))");
        }
    }

    private static void maintainLocked(Connection connection, long now, long keepAfter) throws SQLException {
        YearMonth current = YearMonth.from(Instant.ofEpochMilli(now).atZone(ZoneOffset.UTC));
        List<YearMonth> existing = existing(connection);
        for (int i = 0; i <= AHEAD; i++) {
            YearMonth month = current.plusMonths(i);
            if (!existing.contains(month)) {
                create(connection, month);
            }
        }
        for (YearMonth month : existing) {
            if (start(month.plusMonths(1)) <= keepAfter && isEmpty(connection, month)) {
                try (Statement drop = connection.createStatement()) {
                    drop.execute("DROP TABLE " + name(month));
                    LOG.info("dropped expired partition {}", name(month));
                }
            }
        }
    }

    private static void create(Connection connection, YearMonth month) throws SQLException {
        try (Statement create = connection.createStatement()) {
            create.execute("CREATE TABLE IF NOT EXISTS " + name(month) + " PARTITION OF events FOR VALUES FROM ("
                    + start(month) + ") TO (" + start(month.plusMonths(1)) + ")");
        }
    }

    private static List<YearMonth> existing(Connection connection) throws SQLException {
        List<YearMonth> months = new ArrayList<>();
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                        + "JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace "
                        + "WHERE p.relname = 'events' AND n.nspname = current_schema()");
             ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
                Matcher m = NAME.matcher(rs.getString(1));
                if (m.matches()) {
                    months.add(YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))));
                }
            }
        }
        return months;
    }

    private static boolean isEmpty(Connection connection, YearMonth month) throws SQLException {
        try (Statement select = connection.createStatement();
             ResultSet rs = select.executeQuery("SELECT NOT EXISTS (SELECT 1 FROM " + name(month) + ")")) {
            rs.next();
            return rs.getBoolean(1);
        }
    }

    private static long start(YearMonth month) {
        return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    }

    static String name(YearMonth month) {
        return String.format("events_y%04dm%02d", month.getYear(), month.getMonthValue());
    }
}
