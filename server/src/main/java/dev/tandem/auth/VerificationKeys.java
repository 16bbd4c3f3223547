package dev.tandem.auth;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.ImmutableSecret;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import dev.tandem.config.ConfigException;
import dev.tandem.config.JwtConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.util.Base64;

/**
 * The key source and the single accepted algorithm, built once from {@code auth.jwt}. Every problem is a
 * {@link ConfigException} naming its key, so a bad key stops {@code serve} with one line, not a stack trace.
 *
 * @param algorithm the algorithm every token must use
 * @param jwks      where verification keys come from
 */
record VerificationKeys(JWSAlgorithm algorithm, JWKSource<SecurityContext> jwks) {

    static VerificationKeys from(JwtConfig config) {
        if (present(config.secret())) {
            return fromSecret(config);
        }
        if (present(config.publicKey())) {
            return fromPublicKey(config);
        }
        if (present(config.jwks())) {
            return fromJwks(config);
        }
        throw new ConfigException("auth.jwt.secret", "no JWT key configured");
    }

    private static VerificationKeys fromSecret(JwtConfig config) {
        JWSAlgorithm alg = algorithm(config, JWSAlgorithm.HS256);
        if (!JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            throw new ConfigException("auth.jwt.algorithm", alg + " does not use a secret; use HS256, HS384 or HS512");
        }
        byte[] secret = config.secret().getBytes(StandardCharsets.UTF_8);
        int minimum = Integer.parseInt(alg.getName().substring(2)) / 8;
        if (secret.length < minimum) {
            throw new ConfigException("auth.jwt.secret", "must be at least " + minimum + " bytes for " + alg
                    + " (got " + secret.length + ")");
        }
        return new VerificationKeys(alg, new ImmutableSecret<>(secret));
    }

    private static VerificationKeys fromPublicKey(JwtConfig config) {
        PublicKey key = readPem(config.publicKey());
        JWK jwk;
        JWSAlgorithm fallback;
        if (key instanceof RSAPublicKey rsa) {
            jwk = new RSAKey.Builder(rsa).build();
            fallback = JWSAlgorithm.RS256;
        } else if (key instanceof ECPublicKey ec) {
            Curve curve = Curve.forECParameterSpec(ec.getParams());
            if (curve == null) {
                throw new ConfigException("auth.jwt.publicKey", "unsupported EC curve");
            }
            jwk = new ECKey.Builder(curve, ec).build();
            fallback = curve.equals(Curve.P_384) ? JWSAlgorithm.ES384 : curve.equals(Curve.P_521) ? JWSAlgorithm.ES512 : JWSAlgorithm.ES256;
        } else {
            throw new ConfigException("auth.jwt.publicKey", "must be an RSA or EC public key");
        }
        JWSAlgorithm alg = algorithm(config, fallback);
        requireAsymmetric(alg);
        return new VerificationKeys(alg, new ImmutableJWKSet<>(new JWKSet(jwk)));
    }

    private static VerificationKeys fromJwks(JwtConfig config) {
        JWSAlgorithm alg = algorithm(config, JWSAlgorithm.RS256);
        requireAsymmetric(alg);
        String where = config.jwks().trim();
        if (where.startsWith("https://") || where.startsWith("http://")) {
            try {
                return new VerificationKeys(alg, new RemoteJwks(URI.create(where).toURL()));
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("auth.jwt.jwks", "not a usable URL: " + e.getMessage());
            }
        }
        try {
            return new VerificationKeys(alg, new ImmutableJWKSet<>(JWKSet.load(Path.of(where).toFile())));
        } catch (IOException e) {
            throw new ConfigException("auth.jwt.jwks", "cannot read " + where + ": " + e.getMessage());
        } catch (ParseException e) {
            throw new ConfigException("auth.jwt.jwks", where + " is not a JWK set: " + e.getMessage());
        }
    }

    private static JWSAlgorithm algorithm(JwtConfig config, JWSAlgorithm fallback) {
        if (!present(config.algorithm())) {
            return fallback;
        }
        JWSAlgorithm alg = JWSAlgorithm.parse(config.algorithm().trim());
        boolean known = JWSAlgorithm.Family.HMAC_SHA.contains(alg) || JWSAlgorithm.Family.RSA.contains(alg)
                || JWSAlgorithm.Family.EC.contains(alg);
        if (!known) {
            throw new ConfigException("auth.jwt.algorithm", "unsupported algorithm '" + config.algorithm() + "'");
        }
        return alg;
    }

    private static void requireAsymmetric(JWSAlgorithm alg) {
        if (JWSAlgorithm.Family.HMAC_SHA.contains(alg)) {
            throw new ConfigException("auth.jwt.algorithm", alg + " needs auth.jwt.secret, not a public key");
        }
    }

    /** A PEM public key or certificate, inline or from a file. */
    private static PublicKey readPem(String value) {
        String pem = value;
        if (!value.contains("-----BEGIN")) {
            try {
                pem = Files.readString(Path.of(value.trim()));
            } catch (IOException | RuntimeException e) {
                throw new ConfigException("auth.jwt.publicKey", "cannot read PEM file " + value.trim());
            }
        }
        if (pem.contains("BEGIN CERTIFICATE")) {
            try {
                return CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
                        .getPublicKey();
            } catch (CertificateException e) {
                throw new ConfigException("auth.jwt.publicKey", "not a valid PEM certificate");
            }
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.replaceAll("-----(BEGIN|END) [A-Z ]+-----", ""));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("auth.jwt.publicKey", "not valid PEM");
        }
        for (String type : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            } catch (Exception e) {
                // try the next key type
            }
        }
        throw new ConfigException("auth.jwt.publicKey", "not an RSA or EC public key (expected -----BEGIN PUBLIC KEY-----)");
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
