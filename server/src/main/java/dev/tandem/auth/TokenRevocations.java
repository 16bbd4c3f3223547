package dev.tandem.auth;

import dev.tandem.store.Store;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revoked tokens, the way Centrifugo revokes them: one token by its {@code jti} until it would have expired
 * anyway, or every token of a user issued before a time. Revocations live in the store's tables
 * ({@code revoked_tokens}, {@code revoked_users}), so they survive restarts and every node on one database
 * shares them; each node checks tokens against a bounded in-memory copy that {@link #refresh} reloads
 * periodically on a store thread, so the auth path, which runs on event loops, never waits on I/O. A revocation
 * made on this node applies here at once, on other nodes within one refresh. When a revocation appears,
 * {@code onRevoked} is told (with the check to apply) so live sessions it covers can be closed. Expired
 * revocations are purged from the store every {@link #PURGE_EVERY} refreshes.
 */
public final class TokenRevocations {
    private static final Logger LOG = LoggerFactory.getLogger(TokenRevocations.class);
    /** How often each node reloads the revocations of the whole cluster. */
    public static final Duration REFRESH_INTERVAL = Duration.ofSeconds(2);
    /** Most revocations of each kind held in memory; beyond it the ones expiring last are kept (logged). */
    static final int MAX_CACHED = 100_000;
    static final int PURGE_EVERY = 30;
    /** Local revocations survive a reload that began before they committed for this long. */
    private static final long LOCAL_GRACE_MS = 60_000;
    private static final int SQL_UNIQUE_VIOLATION_CLASS = 23;

    private final Store store;
    private final Clock clock;
    private volatile Cache cache = Cache.empty();
    /** Revocations made on this node recently, with when they were made: kept across a racing reload. */
    private final Map<Key, Long> recentLocal = new ConcurrentHashMap<>();
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private final AtomicLong refreshes = new AtomicLong();
    private volatile Consumer<TokenRevocations> onRevoked = r -> { };

    private TokenRevocations(Store store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** Revocations kept in {@code store}; call {@link #refresh} once at start and then every {@link #REFRESH_INTERVAL}. */
    public static TokenRevocations in(Store store, Clock clock) {
        return new TokenRevocations(store, clock);
    }

    /** No revocations at all (a verifier used outside a server). */
    public static TokenRevocations none() {
        return new TokenRevocations(null, Clock.systemUTC());
    }

    /** Called (on a store thread) whenever a revocation appears, here or on another node. */
    public void onRevoked(Consumer<TokenRevocations> listener) {
        this.onRevoked = listener;
    }

    /** Whether a token with this {@code jti}, subject and {@code iat} (any may be null) is revoked. Never blocks. */
    public boolean revoked(String tokenId, String userId, Instant issuedAt) {
        Cache current = cache;
        if (tokenId != null && current.tokens.containsKey(tokenId)) {
            return true;
        }
        Long before = userId == null ? null : current.users.get(userId);
        // A token without iat cannot show it was issued after the revocation.
        return before != null && (issuedAt == null || issuedAt.toEpochMilli() < before);
    }

    /** Whether the token a session authenticated with is revoked; anonymous sessions have none. */
    public boolean revoked(Identity identity) {
        return !identity.anonymous() && revoked(identity.tokenId(), identity.userId(), identity.issuedAt());
    }

    /** Revokes the token {@code jti} until {@code expiresAtMs}; completes once stored (and applied on this node). */
    public CompletableFuture<Void> revokeToken(String jti, long expiresAtMs) {
        if (expiresAtMs <= clock.millis()) {
            return CompletableFuture.completedFuture(null); // expired already: refused without a revocation
        }
        long now = clock.millis();
        return store.read(connection -> upsert(connection,
                "UPDATE revoked_tokens SET expires_at = GREATEST(expires_at, ?) WHERE jti = ?",
                "INSERT INTO revoked_tokens (expires_at, jti, revoked_at) VALUES (?, ?, ?)", expiresAtMs, jti, now))
                .thenRun(() -> applyLocally(new Key(Kind.TOKEN, jti), expiresAtMs, now));
    }

    /**
     * Revokes every token of {@code userId} issued before {@code issuedBeforeMs} (and its tokens without iat),
     * kept until {@code expiresAtMs}, or for good when null; a later cut-off replaces an earlier one.
     */
    public CompletableFuture<Void> revokeUser(String userId, long issuedBeforeMs, Long expiresAtMs) {
        long now = clock.millis();
        return store.read(connection -> {
            upsert(connection, "UPDATE revoked_users SET issued_before = GREATEST(issued_before, ?), expires_at = ? "
                            + "WHERE user_id = ?",
                    "INSERT INTO revoked_users (issued_before, expires_at, user_id, revoked_at) VALUES (?, ?, ?, ?)",
                    issuedBeforeMs, expiresAtMs, userId, now);
            try (PreparedStatement select = connection.prepareStatement(
                    "SELECT issued_before FROM revoked_users WHERE user_id = ?")) {
                select.setString(1, userId);
                try (ResultSet row = select.executeQuery()) {
                    return row.next() ? row.getLong(1) : issuedBeforeMs;
                }
            }
        }).thenAccept(stored -> applyLocally(new Key(Kind.USER, userId), stored, now));
    }

    /**
     * Reloads every unexpired revocation from the store (and purges expired ones now and then). Returns at once;
     * a reload still running is not doubled, and a failed one keeps the current copy.
     */
    public CompletableFuture<Void> refresh() {
        if (store == null || !refreshing.compareAndSet(false, true)) {
            return CompletableFuture.completedFuture(null);
        }
        long now = clock.millis();
        boolean purge = refreshes.getAndIncrement() % PURGE_EVERY == 0;
        return store.read(connection -> {
            if (purge) {
                purge(connection, now);
            }
            return new Cache(load(connection, "SELECT jti, expires_at FROM revoked_tokens WHERE expires_at > ? "
                    + "ORDER BY expires_at DESC", now), load(connection, "SELECT user_id, issued_before FROM revoked_users "
                    + "WHERE expires_at IS NULL OR expires_at > ? ORDER BY issued_before DESC", now));
        }).handle((loaded, error) -> {
            refreshing.set(false);
            if (error != null) {
                LOG.debug("token revocations not reloaded: {}", error.toString());
                return null;
            }
            install(loaded, now);
            return null;
        });
    }

    /** How many revocations this node holds in memory, of tokens and of users. */
    public int cached() {
        Cache current = cache;
        return current.tokens.size() + current.users.size();
    }

    private void install(Cache loaded, long now) {
        recentLocal.values().removeIf(at -> at < now - LOCAL_GRACE_MS);
        Cache previous = cache;
        for (Key key : recentLocal.keySet()) {
            Map<String, Long> from = key.kind == Kind.TOKEN ? previous.tokens : previous.users;
            Map<String, Long> to = key.kind == Kind.TOKEN ? loaded.tokens : loaded.users;
            Long value = from.get(key.id);
            if (value != null) {
                to.merge(key.id, value, Math::max);
            }
        }
        cache = loaded;
        if (!previous.tokens.keySet().containsAll(loaded.tokens.keySet()) || revokesMore(previous, loaded)) {
            onRevoked.accept(this);
        }
    }

    private static boolean revokesMore(Cache previous, Cache loaded) {
        return loaded.users.entrySet().stream().anyMatch(e -> e.getValue() > previous.users.getOrDefault(e.getKey(), Long.MIN_VALUE));
    }

    private void applyLocally(Key key, long value, long now) {
        Map<String, Long> map = key.kind == Kind.TOKEN ? cache.tokens : cache.users;
        if (map.size() >= MAX_CACHED && !map.containsKey(key.id)) {
            LOG.warn("more than {} revocations of one kind; this one applies at the next reload if it expires late enough",
                    MAX_CACHED);
        } else {
            map.merge(key.id, value, Math::max);
            recentLocal.put(key, now);
        }
        onRevoked.accept(this);
    }

    /** Runs {@code update} and, when no row matched, {@code insert}; a concurrent insert (another node) retries the update. */
    private static Void upsert(Connection connection, String update, String insert, Object... values) throws SQLException {
        int parameters = (int) update.chars().filter(c -> c == '?').count();
        if (run(connection, update, values, parameters) > 0) {
            return null;
        }
        try {
            run(connection, insert, values, values.length);
        } catch (SQLException e) {
            if (e.getSQLState() == null || !e.getSQLState().startsWith(String.valueOf(SQL_UNIQUE_VIOLATION_CLASS))) {
                throw e;
            }
            run(connection, update, values, parameters);
        }
        return null;
    }

    private static int run(Connection connection, String sql, Object[] values, int count) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            for (int i = 0; i < count; i++) {
                if (values[i] == null) {
                    statement.setNull(i + 1, Types.BIGINT);
                } else {
                    statement.setObject(i + 1, values[i]);
                }
            }
            return statement.executeUpdate();
        }
    }

    private static Map<String, Long> load(Connection connection, String sql, long now) throws SQLException {
        Map<String, Long> loaded = new ConcurrentHashMap<>();
        try (PreparedStatement select = connection.prepareStatement(sql)) {
            select.setLong(1, now);
            select.setMaxRows(MAX_CACHED + 1);
            try (ResultSet rows = select.executeQuery()) {
                while (rows.next()) {
                    if (loaded.size() == MAX_CACHED) {
                        LOG.warn("more than {} revocations of one kind; only {} are enforced", MAX_CACHED, MAX_CACHED);
                        break;
                    }
                    loaded.put(rows.getString(1), rows.getLong(2));
                }
            }
        }
        return loaded;
    }

    private static void purge(Connection connection, long now) throws SQLException {
        try (PreparedStatement tokens = connection.prepareStatement("DELETE FROM revoked_tokens WHERE expires_at <= ?");
             PreparedStatement users = connection.prepareStatement("DELETE FROM revoked_users WHERE expires_at <= ?")) {
            tokens.setLong(1, now);
            users.setLong(1, now);
            int purged = tokens.executeUpdate() + users.executeUpdate();
            if (purged > 0) {
                LOG.info("purged {} expired token revocations", purged);
            }
        }
    }

    private enum Kind { TOKEN, USER }

    private record Key(Kind kind, String id) {
    }

    /** The in-memory copy: jti → when the revocation expires; user → tokens issued before this are revoked (ms). */
    private record Cache(Map<String, Long> tokens, Map<String, Long> users) {
        static Cache empty() {
            return new Cache(new ConcurrentHashMap<>(), new ConcurrentHashMap<>());
        }
    }
}
