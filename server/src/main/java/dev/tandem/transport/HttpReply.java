package dev.tandem.transport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * What an endpoint answers: status, content type and body. Errors use one JSON shape everywhere:
 * {@code {"error": {"code": "bad_request", "message": "...", "details": {...}}}} ({@code details} only where
 * there is more to say, such as the stored record of a {@code conflict}).
 *
 * @param status      HTTP status
 * @param contentType value of {@code Content-Type}
 * @param body        response body
 * @param retryAfterSeconds value of {@code Retry-After} on a 503 or 429, 0 for none
 */
public record HttpReply(HttpResponseStatus status, String contentType, byte[] body, long retryAfterSeconds) {
    private static final String JSON = "application/json; charset=utf-8";

    public HttpReply(HttpResponseStatus status, String contentType, byte[] body) {
        this(status, contentType, body, 0);
    }

    public static HttpReply json(HttpResponseStatus status, JsonNode body) {
        try {
            return new HttpReply(status, JSON, FrameCodec.JSON.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    public static HttpReply ok(JsonNode body) {
        return json(HttpResponseStatus.OK, body);
    }

    public static HttpReply text(String contentType, String body) {
        return new HttpReply(HttpResponseStatus.OK, contentType, body.getBytes(StandardCharsets.UTF_8));
    }

    public static HttpReply error(ErrorCode code, String message) {
        return error(HttpResponseStatus.valueOf(code.httpStatus()), code, message);
    }

    /**
     * The reply for a refusal; one that says when to retry carries {@code Retry-After} (whole seconds, rounded up)
     * and {@code retryAfter} (ms) in the body.
     */
    public static HttpReply error(ProtocolException refusal) {
        HttpResponseStatus status = HttpResponseStatus.valueOf(refusal.code().httpStatus());
        Duration retryAfter = refusal.retryAfter();
        ObjectNode body = errorBody(refusal.code(), refusal.getMessage(), refusal.details());
        if (retryAfter == null) {
            return json(status, body);
        }
        ((ObjectNode) body.get("error")).put("retryAfter", retryAfter.toMillis());
        long seconds = Math.max(1, (retryAfter.toMillis() + 999) / 1000);
        return new HttpReply(status, JSON, json(status, body).body(), seconds);
    }

    public static HttpReply error(HttpResponseStatus status, ErrorCode code, String message) {
        return json(status, errorBody(code, message, null));
    }

    /** An error with {@code error.details} when {@code details} is non-null. */
    public static HttpReply error(ErrorCode code, String message, JsonNode details) {
        return json(HttpResponseStatus.valueOf(code.httpStatus()), errorBody(code, message, details));
    }

    private static ObjectNode errorBody(ErrorCode code, String message, JsonNode details) {
        ObjectNode body = FrameCodec.JSON.createObjectNode();
        ObjectNode error = body.putObject("error").put("code", code.wireName()).put("message", message);
        if (details != null) {
            error.set("details", details);
        }
        return body;
    }
}
