package dev.tandem.config;

import java.time.Duration;

/**
 * JWT verification. Exactly one key source is used: {@code secret} (HMAC), {@code publicKey} (a PEM public
 * key, inline or a file path) or {@code jwks} (a JWKS file path or an http(s) URL).
 *
 * @param secret     HMAC secret for HS256/384/512; at least 32 bytes
 * @param algorithm  the one accepted algorithm; null picks HS256 for a secret, RS256 for an RSA key, ES256
 *                   for an EC key
 * @param publicKey  PEM public key (inline text or a file path) for RS256/384/512 or ES256/384/512
 * @param jwks       JWKS file path or http(s) URL
 * @param requireExp refuse tokens without {@code exp}
 * @param clockSkew  tolerance when checking {@code exp} and {@code nbf}
 * @param issuer     when set, {@code iss} must equal it
 * @param audience   when set, {@code aud} must contain it
 */
public record JwtConfig(String secret, String algorithm, String publicKey, String jwks, boolean requireExp,
                        Duration clockSkew, String issuer, String audience) {

    /** Whether any key is configured. */
    public boolean hasKey() {
        return present(secret) || present(publicKey) || present(jwks);
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
