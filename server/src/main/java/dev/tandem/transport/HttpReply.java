package dev.tandem.transport;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/**
 * What an endpoint answers: status, content type and body. Errors use one JSON shape everywhere:
 * {@code {"error": {"code": "bad_request", "message": "...", "details": {...}}}} ({@code details} only where
 * there is more to say, such as the stored record of a {@code conflict}).
 *
 * @param status      HTTP status
 * @param contentType value of {@code Content-Type}
 * @param body        response body
 */
public record HttpReply(HttpResponseStatus status, String contentType, byte[] body) {
    private static final String JSON = "application/json; charset=utf-8";

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

    public static HttpReply error(HttpResponseStatus status, ErrorCode code, String message) {
        return error(status, code, message, null);
    }

    /** An error with {@code error.details} when {@code details} is non-null. */
    public static HttpReply error(ErrorCode code, String message, JsonNode details) {
        return error(HttpResponseStatus.valueOf(code.httpStatus()), code, message, details);
    }

    private static HttpReply error(HttpResponseStatus status, ErrorCode code, String message, JsonNode details) {
        ObjectNode body = FrameCodec.JSON.createObjectNode();
        ObjectNode error = body.putObject("error").put("code", code.wireName()).put("message", message);
        if (details != null) {
            error.set("details", details);
        }
        return json(status, body);
    }
}
