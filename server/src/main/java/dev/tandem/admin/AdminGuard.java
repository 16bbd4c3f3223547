package dev.tandem.admin;

import dev.tandem.auth.Authenticator;
import dev.tandem.auth.Identity;
import dev.tandem.config.TandemConfig;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.transport.AsyncHttpEndpoint;
import dev.tandem.transport.HttpEndpoint;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.HttpReply;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;

/**
 * Who may use the admin API: the one place that decides. Either the shared key ({@code admin.key}, else
 * {@code api.key}) in {@code Authorization: apikey KEY}, or a user's JWT carrying the {@code admin} role in
 * {@code Authorization: Bearer …}. With neither a key nor token verification configured, the dashboard is
 * open in dev mode (loopback) and disabled otherwise.
 */
final class AdminGuard {
    static final String ADMIN_ROLE = "admin";

    private final byte[] expected;
    private final boolean openWithoutKey;
    private final Authenticator authenticator;

    AdminGuard(TandemConfig config, Authenticator authenticator) {
        String key = present(config.admin().key()) ? config.admin().key() : config.api().key();
        this.expected = present(key) ? ("apikey " + key).getBytes(StandardCharsets.UTF_8) : null;
        this.openWithoutKey = config.dev();
        this.authenticator = authenticator;
    }

    HttpEndpoint guard(HttpEndpoint endpoint) {
        return exchange -> {
            HttpReply refusal = refusal(exchange);
            return refusal != null ? refusal : endpoint.handle(exchange);
        };
    }

    /** {@link #guard} for endpoints that answer later. */
    AsyncHttpEndpoint guardAsync(AsyncHttpEndpoint endpoint) {
        return exchange -> {
            HttpReply refusal = refusal(exchange);
            return refusal != null ? CompletableFuture.completedFuture(refusal) : endpoint.handle(exchange);
        };
    }

    /** Null when the request may proceed, otherwise the reply that refuses it. */
    HttpReply refusal(HttpExchange exchange) {
        String given = exchange.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (given != null && given.regionMatches(true, 0, "Bearer ", 0, 7) && authenticator.verifiesTokens()) {
            return adminRoleRefusal(given.substring(7).trim(), exchange);
        }
        if (expected == null) {
            return openWithoutKey ? null
                    : HttpReply.error(ErrorCode.FORBIDDEN, "the admin API is disabled: set admin.key (or api.key)");
        }
        if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            return HttpReply.error(ErrorCode.UNAUTHORIZED, "missing or wrong 'Authorization: apikey KEY' header");
        }
        return null;
    }

    private HttpReply adminRoleRefusal(String token, HttpExchange exchange) {
        Identity user;
        try {
            user = authenticator.verify(token, exchange.remoteAddress());
        } catch (ProtocolException e) {
            return HttpReply.error(e);
        }
        return user.roles().contains(ADMIN_ROLE) ? null
                : HttpReply.error(ErrorCode.FORBIDDEN, "the admin API needs the '" + ADMIN_ROLE + "' role");
    }

    private static boolean present(String key) {
        return key != null && !key.isEmpty();
    }
}
