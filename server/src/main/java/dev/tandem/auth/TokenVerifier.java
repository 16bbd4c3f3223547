package dev.tandem.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;
import dev.tandem.config.JwtConfig;
import java.security.Key;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies a JWT against the one configured key source and algorithm, and returns its claims. The checks run
 * in an order that gives each rejection its own reason code: not a JWS at all ({@code alg: none} included),
 * another algorithm than the configured one, no matching key, bad signature, then the time claims
 * ({@code exp} required unless configured otherwise, {@code nbf}), issuer and audience. Keys come from
 * {@link VerificationKeys}; a JWKS URL is fetched on a thread of its own ({@link RemoteJwks}), so verification,
 * which runs on event loops, never waits on the network.
 */
public final class TokenVerifier {
    private static final Logger LOG = LoggerFactory.getLogger(TokenVerifier.class);
    /** Tokens are small; a bigger one is refused before it is parsed. */
    static final int MAX_TOKEN_LENGTH = 8192;

    private final JwtConfig config;
    private final JWSAlgorithm algorithm;
    private final JWSVerificationKeySelector<SecurityContext> keys;
    private final DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();
    private final Duration skew;

    TokenVerifier(JwtConfig config, VerificationKeys source) {
        this.config = config;
        this.algorithm = source.algorithm();
        this.keys = new JWSVerificationKeySelector<>(algorithm, source.jwks());
        this.skew = config.clockSkew();
        warmUp(source.jwks());
    }

    /** The claims of a valid token; throws {@link TokenRejected} with a reason code otherwise. */
    public JWTClaimsSet verify(String token) {
        SignedJWT jwt = parse(token);
        JWSHeader header = jwt.getHeader();
        if (!algorithm.equals(header.getAlgorithm())) {
            throw new TokenRejected("wrong_algorithm", "token algorithm " + header.getAlgorithm() + " is not accepted");
        }
        verifySignature(jwt, header);
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new TokenRejected("malformed", "token claims are not valid JSON");
        }
        checkTimes(claims);
        checkIssuerAndAudience(claims);
        return claims;
    }

    private static SignedJWT parse(String token) {
        if (token == null || token.isBlank()) {
            throw new TokenRejected("missing", "token is empty");
        }
        if (token.length() > MAX_TOKEN_LENGTH) {
            throw new TokenRejected("malformed", "token is longer than " + MAX_TOKEN_LENGTH + " characters");
        }
        JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException e) {
            throw new TokenRejected("malformed", "token is not a valid JWT");
        }
        if (!(jwt instanceof SignedJWT signed)) {
            throw new TokenRejected("unsigned", "token must be signed (alg none and encrypted tokens are refused)");
        }
        return signed;
    }

    private void verifySignature(SignedJWT jwt, JWSHeader header) {
        List<? extends Key> candidates;
        try {
            candidates = keys.selectJWSKeys(header, null);
        } catch (KeySourceException e) {
            LOG.warn("JWT keys unavailable: {}", e.getMessage());
            throw new TokenRejected("keys_unavailable", "token keys are unavailable, try again later");
        }
        for (Key key : candidates) {
            try {
                JWSVerifier verifier = verifiers.createJWSVerifier(header, key);
                if (jwt.verify(verifier)) {
                    return;
                }
            } catch (JOSEException e) {
                // A key that cannot check this header (wrong size or type) simply does not match.
            }
        }
        throw new TokenRejected(candidates.isEmpty() ? "unknown_key" : "bad_signature", "token signature is not valid");
    }

    private void checkTimes(JWTClaimsSet claims) {
        Instant now = Instant.now();
        Date exp = claims.getExpirationTime();
        if (exp == null && config.requireExp()) {
            throw new TokenRejected("missing_exp", "token has no 'exp'");
        }
        if (exp != null && !now.isBefore(exp.toInstant().plus(skew))) {
            throw new TokenRejected("expired", "token has expired");
        }
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(skew).isBefore(nbf.toInstant())) {
            throw new TokenRejected("not_yet_valid", "token is not valid yet");
        }
    }

    private void checkIssuerAndAudience(JWTClaimsSet claims) {
        if (config.issuer() != null && !config.issuer().equals(claims.getIssuer())) {
            throw new TokenRejected("wrong_issuer", "token issuer is not accepted");
        }
        if (config.audience() != null && (claims.getAudience() == null || !claims.getAudience().contains(config.audience()))) {
            throw new TokenRejected("wrong_audience", "token audience is not accepted");
        }
    }

    /** Gives remote keys a moment to load at start (on the starting thread), so the first handshakes find them. */
    private static void warmUp(JWKSource<SecurityContext> source) {
        if (source instanceof RemoteJwks remote && !remote.awaitFirstFetch(Duration.ofSeconds(5))) {
            LOG.warn("JWT keys could not be loaded yet; tokens are refused (retryable) until they are");
        }
    }
}
