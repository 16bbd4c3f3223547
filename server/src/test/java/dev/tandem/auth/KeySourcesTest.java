package dev.tandem.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.sun.net.httpserver.HttpServer;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestTokens;
import dev.tandem.testing.WsClient;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Asymmetric keys: PEM public keys (file or inline), JWKS files and URLs, and the algorithm they pin. */
class KeySourcesTest {
    @TempDir
    Path dir;

    private static Map<String, String> production(String key, String value) {
        return Map.of("dev", "false", key, value);
    }

    private static String userOf(TestServer server, String token) {
        try (WsClient client = server.connectWithToken(token)) {
            JsonNode first = client.next(f -> true, "first frame");
            return first.path("type").asText().equals("connected") ? first.path("payload").path("userId").asText()
                    : "refused " + first.path("payload").path("code").asInt() + ": " + first.path("payload").path("reason").asText();
        }
    }

    @Test
    void rs256TokensVerifyAgainstAPemPublicKeyFile() throws Exception {
        KeyPair keys = TestTokens.rsaKeys();
        Path pem = Files.writeString(dir.resolve("public.pem"), TestTokens.pem(keys));
        try (TestServer server = TestServer.start(production("auth.jwt.publicKey", pem.toString()))) {
            assertThat(userOf(server, TestTokens.rsa(keys, null, TestTokens.claims("rsa-user").build()))).isEqualTo("rsa-user");
            KeyPair other = TestTokens.rsaKeys();
            assertThat(userOf(server, TestTokens.rsa(other, null, TestTokens.claims("rsa-user").build())))
                    .startsWith("refused 4001").contains("signature");
        }
    }

    @Test
    void anHmacTokenSignedWithThePublicKeyIsRefusedOnAnRsaServer() throws Exception {
        KeyPair keys = TestTokens.rsaKeys();
        // The classic algorithm-confusion attack: HS256 keyed with the server's (public) RSA key.
        String confused = TestTokens.hmac(JWSAlgorithm.HS256, TestTokens.pem(keys), TestTokens.claims("admin").build());
        try (TestServer server = TestServer.start(production("auth.jwt.publicKey", TestTokens.pem(keys)))) {
            assertThat(userOf(server, confused)).startsWith("refused 4001").contains("algorithm");
        }
    }

    @Test
    void es256TokensVerifyAgainstAnInlinePemKey() {
        KeyPair keys = TestTokens.ecKeys();
        try (TestServer server = TestServer.start(production("auth.jwt.publicKey", TestTokens.pem(keys)))) {
            assertThat(userOf(server, TestTokens.ec(keys, TestTokens.claims("ec-user").build()))).isEqualTo("ec-user");
            assertThat(userOf(server, TestTokens.ec(TestTokens.ecKeys(), TestTokens.claims("ec-user").build())))
                    .startsWith("refused 4001");
        }
    }

    @Test
    void aJwksFilePicksTheKeyByKid() throws Exception {
        KeyPair first = TestTokens.rsaKeys();
        KeyPair second = TestTokens.rsaKeys();
        Path jwks = Files.writeString(dir.resolve("jwks.json"), jwks(first, "k1", second, "k2"));
        try (TestServer server = TestServer.start(production("auth.jwt.jwks", jwks.toString()))) {
            assertThat(userOf(server, TestTokens.rsa(first, "k1", TestTokens.claims("one").build()))).isEqualTo("one");
            assertThat(userOf(server, TestTokens.rsa(second, "k2", TestTokens.claims("two").build()))).isEqualTo("two");
            assertThat(userOf(server, TestTokens.rsa(first, "k2", TestTokens.claims("mixed").build()))).startsWith("refused 4001");
            assertThat(userOf(server, TestTokens.rsa(first, "k9", TestTokens.claims("nokey").build()))).startsWith("refused 4001");
        }
    }

    @Test
    void aJwksUrlIsFetchedOverHttp() throws Exception {
        KeyPair keys = TestTokens.rsaKeys();
        HttpServer jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = jwks(keys, "web", TestTokens.rsaKeys(), "other").getBytes(StandardCharsets.UTF_8);
        jwksServer.createContext("/.well-known/jwks.json", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwksServer.start();
        String url = "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/.well-known/jwks.json";
        try (TestServer server = TestServer.start(production("auth.jwt.jwks", url))) {
            assertThat(userOf(server, TestTokens.rsa(keys, "web", TestTokens.claims("web-user").build()))).isEqualTo("web-user");
        } finally {
            jwksServer.stop(0);
        }
    }

    @Test
    void aRotatedKeyIsFetchedOffTheEventLoopWhileHandshakesKeepBeingAnswered() throws Exception {
        KeyPair old = TestTokens.rsaKeys();
        KeyPair rotated = TestTokens.rsaKeys();
        byte[] before = jwks(old, "old", TestTokens.rsaKeys(), "spare").getBytes(StandardCharsets.UTF_8);
        byte[] after = jwks(old, "old", rotated, "new").getBytes(StandardCharsets.UTF_8);
        AtomicBoolean rotatedOut = new AtomicBoolean();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch fetchBlocked = new CountDownLatch(1);
        HttpServer jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        jwksServer.setExecutor(Executors.newCachedThreadPool());
        jwksServer.createContext("/jwks", exchange -> {
            byte[] body = before;
            if (rotatedOut.get()) {
                fetchBlocked.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                body = after;
            }
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwksServer.start();
        String url = "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/jwks";
        try (TestServer server = TestServer.start(production("auth.jwt.jwks", url))) {
            rotatedOut.set(true);
            String newToken = TestTokens.rsa(rotated, "new", TestTokens.claims("rotated-user").build());
            assertThat(userOf(server, newToken)).as("unknown kid: refused at once, refetch asked").startsWith("refused 4001");
            assertThat(fetchBlocked.await(20, TimeUnit.SECONDS)).as("the refetch is under way and stuck").isTrue();
            assertThat(userOf(server, TestTokens.rsa(old, "old", TestTokens.claims("old-user").build())))
                    .as("a handshake while the JWKS fetch hangs").isEqualTo("old-user");
            release.countDown();
            await().atMost(Duration.ofSeconds(20)).until(() -> "rotated-user".equals(userOf(server, newToken)));
        } finally {
            release.countDown();
            jwksServer.stop(0);
        }
    }

    private static String jwks(KeyPair a, String kidA, KeyPair b, String kidB) {
        return new JWKSet(java.util.List.of(
                new RSAKey.Builder((RSAPublicKey) a.getPublic()).keyID(kidA).build(),
                new RSAKey.Builder((RSAPublicKey) b.getPublic()).keyID(kidB).build())).toString();
    }
}
