package dev.tandem.presence;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.transport.AsyncHttpEndpoint;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.HttpReply;
import dev.tandem.transport.HttpRouter;
import io.netty.handler.codec.http.HttpMethod;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/**
 * Presence in the server HTTP API: {@code GET /api/presence/{channel}} (members, or only counts above the
 * namespace's {@code syncLimit}) and {@code GET /api/users/{user}/presence} (online/away/offline, last seen, and
 * the channels the user is in). Guarded like the rest of {@code /api}. Both answer when the store does, so a
 * networked (Redis) store never holds the event loop.
 */
public final class PresenceApi {
    private static final String CHANNEL_PREFIX = "/api/presence/";
    private static final String USER_PREFIX = "/api/users/";
    private static final String USER_SUFFIX = "/presence";
    private static final int MAX_USER_ID = 255;

    private final PresenceService service;
    private final PresenceAccess access;

    public PresenceApi(PresenceService service, PresenceAccess access) {
        this.service = service;
        this.access = access;
    }

    /** Adds the routes, each wrapped by {@code guard} (the server API's api-key check). */
    public void registerOn(HttpRouter router, UnaryOperator<AsyncHttpEndpoint> guard) {
        router.routePrefixAsync(HttpMethod.GET, CHANNEL_PREFIX, guard.apply(this::channel))
                .routePattern(HttpMethod.GET, USER_PREFIX, USER_SUFFIX, guard.apply(this::user));
    }

    private CompletableFuture<HttpReply> channel(HttpExchange exchange) {
        String channel = access.checkChannel(exchange.path().substring(CHANNEL_PREFIX.length()));
        return reply(service.describeChannel(channel));
    }

    private CompletableFuture<HttpReply> user(HttpExchange exchange) {
        String path = exchange.path();
        if (!path.endsWith(USER_SUFFIX) || path.length() <= USER_PREFIX.length() + USER_SUFFIX.length()) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no such endpoint: " + path);
        }
        String userId = path.substring(USER_PREFIX.length(), path.length() - USER_SUFFIX.length());
        if (userId.length() > MAX_USER_ID || userId.contains("/")) {
            throw ProtocolException.badRequest("'user' must be one path segment of at most " + MAX_USER_ID + " characters");
        }
        return reply(service.describeUser(userId));
    }

    /**
     * Answers when the presence store does, without waiting on the event loop (a networked store completes later);
     * a store failure is {@code unavailable}, a refusal keeps its own code.
     */
    private static CompletableFuture<HttpReply> reply(CompletionStage<ObjectNode> stage) {
        return stage.toCompletableFuture().handle((body, error) -> {
            if (error == null) {
                return HttpReply.ok(body);
            }
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            throw cause instanceof ProtocolException refusal ? refusal
                    : ProtocolException.dependencyFailed("presence store failed; retry", cause);
        });
    }
}
