package dev.tandem.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.tandem.config.ConfigException;
import dev.tandem.config.NamespaceConfig;
import dev.tandem.config.TandemConfig;
import dev.tandem.limits.ConnectionLimits;
import dev.tandem.limits.KeyedRateLimiter;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.SessionRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.text.ParseException;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides who a connection is, the same way for every transport: each calls {@link #authenticate} with what
 * its handshake carried (query parameters, headers, remote address). A token ({@code ?token=} or
 * {@code Authorization: Bearer}) must verify (a dev server without a key ignores it); without one the connection
 * is a dev user ({@code ?user=NAME},
 * dev mode only), an anonymous user (dev mode, or when some namespace admits {@code anonymous}), or it must
 * authenticate with a {@code connect} frame. Also the one place that verifies tokens for {@code connect},
 * {@code refresh} and subscription tokens, and that logs auth failures (reason code and address, never the
 * token).
 */
public final class Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(Authenticator.class);
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");
    private static final int MAX_USER_ID_LENGTH = 200;

    private final TandemConfig config;
    private final TandemMetrics metrics;
    private final TokenVerifier verifier;
    private final boolean anonymousAllowed;
    private final KeyedRateLimiter handshakes;
    private final TokenRevocations revocations;

    /** Without revocations; see {@link #Authenticator(TandemConfig, TandemMetrics, TokenRevocations)}. */
    public Authenticator(TandemConfig config, TandemMetrics metrics) {
        this(config, metrics, TokenRevocations.none());
    }

    /**
     * Throws {@link ConfigException} in production mode when no JWT key is configured, or the key is unusable.
     * Tokens that {@code revocations} lists are refused like invalid ones (reason {@code revoked}).
     */
    public Authenticator(TandemConfig config, TandemMetrics metrics, TokenRevocations revocations) {
        this.config = config;
        this.revocations = revocations;
        this.metrics = metrics;
        if (!config.dev() && !config.auth().jwt().hasKey()) {
            throw new ConfigException("auth.jwt.secret", "serve mode needs a JWT key: set TANDEM_AUTH_JWT_SECRET "
                    + "(32+ bytes), auth.jwt.publicKey or auth.jwt.jwks");
        }
        this.verifier = config.auth().jwt().hasKey()
                ? new TokenVerifier(config.auth().jwt(), VerificationKeys.from(config.auth().jwt())) : null;
        this.anonymousAllowed = config.dev() || config.namespaces().values().stream().anyMatch(Authenticator::admitsAnonymous);
        this.handshakes = new KeyedRateLimiter(config.limits().handshakeRatePerIp(), config.limits().handshakeBurstPerIp());
    }

    /**
     * Who a new connection is, from its handshake. Empty means "no credentials yet": the transport opens the
     * session awaiting a {@code connect} frame. Throws {@code unauthorized} for a bad token and
     * {@code rate_limited} when the address opens connections too fast.
     */
    public Optional<Identity> authenticate(Map<String, List<String>> query, HttpHeaders headers, String remoteAddress) {
        String host = ConnectionLimits.hostOf(remoteAddress);
        if (!ConnectionLimits.exempt(config.dev(), host) && !handshakes.tryTake(host)) {
            LOG.warn("auth failure reason=handshake_rate remote={}", remoteAddress);
            metrics.refused("handshake_rate");
            throw new ProtocolException(ErrorCode.RATE_LIMITED, "too many new connections from this address");
        }
        String token = tokenOf(query, headers);
        if (token != null && verifiesTokens()) {
            return Optional.of(verify(token, remoteAddress));
        }
        String requested = first(query, "user");
        if (requested != null && config.dev()) {
            if (!USER_NAME.matcher(requested).matches()) {
                throw ProtocolException.badRequest("'user' must be 1 to 64 characters from A-Z a-z 0-9 _ . @ -");
            }
            return Optional.of(Identity.devUser(requested));
        }
        if (anonymousAllowed) {
            return Optional.of(Identity.anonymous(SessionRegistry.anonymousUserId()));
        }
        return Optional.empty();
    }

    /**
     * As {@link #authenticate}, for a request that needs an identity at once (a one-way transport whose
     * client cannot send {@code connect} first): the identity, or {@code unauthorized}.
     */
    public Identity requireIdentity(Map<String, List<String>> query, HttpHeaders headers, String remoteAddress) {
        return authenticate(query, headers, remoteAddress).orElseThrow(() -> {
            LOG.warn("auth failure reason=missing remote={}", remoteAddress);
            metrics.refused("missing");
            return new ProtocolException(ErrorCode.UNAUTHORIZED, "a token is required (?token= or Authorization: Bearer)");
        });
    }

    /** The identity a token proves; throws {@code unauthorized} (and logs the reason) when it proves nothing. */
    public Identity verify(String token, String remoteAddress) {
        try {
            if (verifier == null) {
                throw new TokenRejected("no_key", "this server has no JWT key configured");
            }
            return identityOf(verifier.verify(token));
        } catch (TokenRejected e) {
            LOG.warn("auth failure reason={} remote={}", e.reason(), remoteAddress);
            metrics.refused(e.reason());
            throw new ProtocolException(ErrorCode.UNAUTHORIZED, e.getMessage());
        }
    }

    /**
     * Whether tokens are checked. Always in production; in dev mode only once a key is configured: without
     * one a dev server ignores tokens, which grants nothing {@code ?user=NAME} does not already grant there.
     */
    public boolean verifiesTokens() {
        return verifier != null;
    }

    /** Whether connections without any token are accepted (dev mode, or a namespace admits anonymous). */
    public boolean anonymousAllowed() {
        return anonymousAllowed;
    }

    /** The claims of a subscription token; throws {@link TokenRejected} when it is not valid. */
    JWTClaimsSet verifySubscriptionToken(String token) {
        if (verifier == null) {
            throw new TokenRejected("no_key", "this server has no JWT key configured");
        }
        JWTClaimsSet claims = verifier.verify(token);
        checkNotRevoked(claims, claims.getSubject());
        return claims;
    }

    private void checkNotRevoked(JWTClaimsSet claims, String userId) {
        String jti = claims.getJWTID();
        Instant issuedAt = claims.getIssueTime() == null ? null : claims.getIssueTime().toInstant();
        if (revocations.revoked(jti, userId, issuedAt)) {
            throw new TokenRejected("revoked", "token has been revoked");
        }
    }

    /** Forgets addresses that stopped connecting; run periodically. */
    public void sweep() {
        handshakes.sweep();
    }

    private Identity identityOf(JWTClaimsSet claims) {
        String sub = claims.getSubject();
        if (sub == null || sub.isBlank() || sub.length() > MAX_USER_ID_LENGTH) {
            throw new TokenRejected("missing_sub", "token 'sub' is required (at most " + MAX_USER_ID_LENGTH + " characters)");
        }
        checkNotRevoked(claims, sub);
        try {
            String name = claims.getStringClaim("name");
            List<String> roles = stringList(claims, "roles");
            List<String> channels = stringList(claims, "channels");
            Map<String, Object> info = claims.getJSONObjectClaim("info");
            JsonNode infoNode = info == null ? null : FrameCodec.JSON.valueToTree(info);
            return new Identity(sub, name == null ? sub : name, Set.copyOf(roles), channels, infoNode,
                    claims.getExpirationTime() == null ? null : claims.getExpirationTime().toInstant(), false,
                    claims.getJWTID(), claims.getIssueTime() == null ? null : claims.getIssueTime().toInstant());
        } catch (ParseException e) {
            throw new TokenRejected("bad_claims", "token claims 'name', 'roles', 'channels' or 'info' have the wrong type");
        }
    }

    private static List<String> stringList(JWTClaimsSet claims, String name) throws ParseException {
        Object value = claims.getClaim(name);
        if (value == null) {
            return List.of();
        }
        if (value instanceof String single) {
            return List.of(single);
        }
        List<String> list = claims.getStringListClaim(name);
        if (list.contains(null)) {
            throw new ParseException(name, 0);
        }
        return list;
    }

    private static String tokenOf(Map<String, List<String>> query, HttpHeaders headers) {
        String token = first(query, "token");
        if (token != null) {
            return token;
        }
        String authorization = headers == null ? null : headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return null;
    }

    private static boolean admitsAnonymous(NamespaceConfig ns) {
        return ns.access() != null && List.of(ns.access().subscribe(), ns.access().publish(), ns.access().presence(),
                ns.access().history()).stream().flatMap(Collection::stream).anyMatch("anonymous"::equals);
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
