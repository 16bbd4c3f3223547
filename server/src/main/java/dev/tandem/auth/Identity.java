package dev.tandem.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Who a connection is, as established at its handshake (or by its {@code connect} frame) and replaced by a
 * {@code refresh}: the verified claims of its token, or an anonymous or dev-mode user. Immutable; every
 * service reads it from {@code Session.identity()} and passes it to {@link ChannelAccess}.
 *
 * @param userId    the {@code sub} claim, or {@code anon-…} for an anonymous user
 * @param name      display name ({@code name} claim), the user id when absent
 * @param roles     the {@code roles} claim
 * @param channels  extra channel patterns from the {@code channels} claim ({@code room:a}, {@code room:*})
 * @param info      the {@code info} claim: a public profile shown to others (presence); a JSON null when absent
 * @param expiresAt when the token expires, or null for a token without {@code exp} and for anonymous or dev users
 * @param anonymous true when no token was presented
 * @param tokenId   the token's {@code jti}, or null; a revocation by jti matches it
 * @param issuedAt  the token's {@code iat}, or null; a revocation of the user's tokens issued before a time matches it
 */
public record Identity(String userId, String name, Set<String> roles, List<String> channels, JsonNode info,
                       Instant expiresAt, boolean anonymous, String tokenId, Instant issuedAt) {

    public Identity {
        roles = Set.copyOf(roles);
        channels = List.copyOf(channels);
        info = info == null ? NullNode.getInstance() : info.deepCopy();
    }

    /** An identity without a {@code jti} or {@code iat}. */
    public Identity(String userId, String name, Set<String> roles, List<String> channels, JsonNode info,
                    Instant expiresAt, boolean anonymous) {
        this(userId, name, roles, channels, info, expiresAt, anonymous, null, null);
    }

    /** A connection without a token. */
    public static Identity anonymous(String userId) {
        return new Identity(userId, userId, Set.of(), List.of(), null, null, true);
    }

    /** A dev-mode user named by {@code ?user=NAME}: treated as authenticated, without roles. */
    public static Identity devUser(String userId) {
        return new Identity(userId, userId, Set.of(), List.of(), null, null, false);
    }

    public boolean hasRole(String role) {
        return roles.contains(role);
    }

    /** Whether the token has expired at {@code now}. */
    public boolean expiredAt(Instant now) {
        return expiresAt != null && !now.isBefore(expiresAt);
    }
}
