package dev.tandem.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Test JWTs signed with nimbus, the way an application back end would mint them: HMAC with the test secret by
 * default, or RSA/EC keys generated per test. Also the hostile shapes ({@code alg: none}, tampered signature).
 */
public final class TestTokens {
    /** A 32-byte HS256 secret the production-mode test servers are configured with. */
    public static final String SECRET = "test-secret-0123456789-abcdefghij-klmnop";

    private TestTokens() {
    }

    /** {@code sub} = user, valid for an hour. */
    public static String forUser(String user) {
        return hs256(claims(user).build());
    }

    /** Claims with {@code sub} and an {@code exp} one hour ahead, to adjust. */
    public static JWTClaimsSet.Builder claims(String user) {
        return new JWTClaimsSet.Builder().subject(user).expirationTime(Date.from(Instant.now().plus(Duration.ofHours(1))));
    }

    public static String forUser(String user, UnaryOperator<JWTClaimsSet.Builder> adjust) {
        return hs256(adjust.apply(claims(user)).build());
    }

    public static String hs256(JWTClaimsSet claims) {
        return hmac(JWSAlgorithm.HS256, SECRET, claims);
    }

    public static String hmac(JWSAlgorithm alg, String secret, JWTClaimsSet claims) {
        try {
            return sign(new JWSHeader(alg), new MACSigner(secret.getBytes()), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String rsa(KeyPair keys, String kid, JWTClaimsSet claims) {
        return sign(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(kid).build(), new RSASSASigner(keys.getPrivate()), claims);
    }

    public static String ec(KeyPair keys, JWTClaimsSet claims) {
        try {
            return sign(new JWSHeader(JWSAlgorithm.ES256), new ECDSASigner((ECPrivateKey) keys.getPrivate()), claims);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
    }

    /** An unsecured token: header {@code {"alg":"none"}}, no signature. */
    public static String none(JWTClaimsSet claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes()) + "."
                + b64.encodeToString(claims.toString().getBytes()) + ".";
    }

    /** The same token with a different payload spliced in (the signature no longer matches). */
    public static String tampered(String token, JWTClaimsSet forged) {
        String[] parts = token.split("\\.");
        String payload = Base64.getUrlEncoder().withoutPadding().encodeToString(forged.toString().getBytes());
        return parts[0] + "." + payload + "." + parts[2];
    }

    public static KeyPair rsaKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static KeyPair ecKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The public key as PEM ({@code -----BEGIN PUBLIC KEY-----}). */
    public static String pem(KeyPair keys) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(keys.getPublic().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** Overrides for a production-mode test server verifying HS256 with {@link #SECRET}. */
    public static Map<String, String> production(String... more) {
        HashMap<String, String> overrides = new HashMap<>(Map.of("dev", "false", "auth.jwt.secret", SECRET));
        for (int i = 0; i + 1 < more.length; i += 2) {
            overrides.put(more[i], more[i + 1]);
        }
        return overrides;
    }

    private static String sign(JWSHeader header, JWSSigner signer, JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(header, claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }
}
