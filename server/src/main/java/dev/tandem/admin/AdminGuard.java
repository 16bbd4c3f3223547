package dev.tandem.admin;

import dev.tandem.config.TandemConfig;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.transport.AsyncHttpEndpoint;
import dev.tandem.transport.HttpEndpoint;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.HttpReply;
import io.netty.handler.codec.http.HttpHeaderNames;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.concurrent.CompletableFuture;

/**
 * Who may use the admin API: the one place that decides. Today a shared key ({@code admin.key}, else
 * {@code api.key}) in {@code Authorization: apikey KEY}; with no key configured the dashboard is open in dev
 * mode (loopback) and disabled otherwise. Token-based access (an {@code admin} role) plugs in to
 * {@link #refusal}.
 */
final class AdminGuard {
    private final byte[] expected;
    private final boolean openWithoutKey;

    AdminGuard(TandemConfig config) {
        String key = present(config.admin().key()) ? config.admin().key() : config.api().key();
        this.expected = present(key) ? ("apikey " + key).getBytes(StandardCharsets.UTF_8) : null;
        this.openWithoutKey = config.dev();
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
        if (expected == null) {
            return openWithoutKey ? null
                    : HttpReply.error(ErrorCode.FORBIDDEN, "the admin API is disabled: set admin.key (or api.key)");
        }
        String given = exchange.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            return HttpReply.error(ErrorCode.UNAUTHORIZED, "missing or wrong 'Authorization: apikey KEY' header");
        }
        return null;
    }

    private static boolean present(String key) {
        return key != null && !key.isEmpty();
    }
}
