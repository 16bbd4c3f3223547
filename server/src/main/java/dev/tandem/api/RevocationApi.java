package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.auth.TokenRevocations;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.HttpReply;
import dev.tandem.transport.HttpRouter;
import io.netty.handler.codec.http.HttpMethod;
import java.util.concurrent.CompletableFuture;

/**
 * {@code POST /api/tokens/revoke}, as Centrifugo has it: {@code {jti, expiresAt}} revokes one token until it
 * would have expired anyway; {@code {user, issuedBefore[, expiresAt]}} revokes every token of a user issued
 * before a time (times in epoch seconds, like JWT claims). Answers once the revocation is stored; live
 * sessions it covers are closed with 4001 by the listener {@link TokenRevocations} notifies.
 */
public final class RevocationApi {
    public static final String PATH = "/api/tokens/revoke";
    private static final int MAX_ID_LENGTH = 255;

    private final TokenRevocations revocations;

    public RevocationApi(TokenRevocations revocations) {
        this.revocations = revocations;
    }

    public void registerOn(HttpRouter router, ServerApi api) {
        router.routeAsync(HttpMethod.POST, PATH, api.guardedAsync(this::revoke));
    }

    private CompletableFuture<HttpReply> revoke(HttpExchange exchange) {
        JsonNode body = exchange.jsonObject();
        boolean byToken = body.has("jti");
        if (byToken == body.has("user")) {
            throw ProtocolException.badRequest("give either {jti, expiresAt} or {user, issuedBefore}");
        }
        ObjectNode reply = FrameCodec.JSON.createObjectNode();
        if (byToken) {
            String jti = id(body, "jti");
            long expiresAt = seconds(body, "expiresAt", true);
            reply.put("jti", jti).put("expiresAt", expiresAt);
            return revocations.revokeToken(jti, expiresAt * 1000).thenApply(v -> HttpReply.ok(reply));
        }
        String user = id(body, "user");
        long issuedBefore = seconds(body, "issuedBefore", true);
        long expiresAt = seconds(body, "expiresAt", false);
        reply.put("user", user).put("issuedBefore", issuedBefore);
        if (expiresAt > 0) {
            reply.put("expiresAt", expiresAt);
        }
        return revocations.revokeUser(user, issuedBefore * 1000, expiresAt > 0 ? expiresAt * 1000 : null)
                .thenApply(v -> HttpReply.ok(reply));
    }

    private static String id(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.textValue().isEmpty() || value.textValue().length() > MAX_ID_LENGTH) {
            throw ProtocolException.badRequest("'" + field + "' must be a string of 1 to " + MAX_ID_LENGTH + " characters");
        }
        return value.textValue();
    }

    /** A positive epoch-seconds field; 0 when optional and absent. */
    private static long seconds(JsonNode body, String field, boolean required) {
        JsonNode value = body.get(field);
        if (value == null && !required) {
            return 0;
        }
        // Epoch seconds: below year 2286, so a value in milliseconds is refused rather than taken for centuries.
        if (value == null || !value.canConvertToLong() || !value.isIntegralNumber() || value.longValue() <= 0
                || value.longValue() >= 10_000_000_000L) {
            throw ProtocolException.badRequest("'" + field + "' must be a time in epoch seconds");
        }
        return value.longValue();
    }
}
