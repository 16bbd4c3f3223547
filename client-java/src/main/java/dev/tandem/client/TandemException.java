package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * A failed request. {@link #code} is the server's error code ({@code bad_request}, {@code unauthorized},
 * {@code forbidden}, {@code not_found}, {@code conflict}, {@code rate_limited}, {@code too_large},
 * {@code limit_exceeded}, {@code unavailable}, {@code internal}) or one of the client's own:
 * {@link #TIMEOUT}, {@link #DISCONNECTED} (the connection dropped before the reply: the outcome is unknown),
 * {@link #CLOSED} (the client was closed or the server refused to let it reconnect), {@link #TRANSPORT}.
 */
public class TandemException extends RuntimeException {
    public static final String TIMEOUT = "timeout";
    public static final String DISCONNECTED = "disconnected";
    public static final String CLOSED = "closed";
    public static final String TRANSPORT = "transport";

    private final String code;
    private final int httpStatus;
    private final Duration retryAfter;
    private final JsonNode details;

    public TandemException(String code, String message) {
        this(code, message, 0, null);
    }

    public TandemException(String code, String message, int httpStatus, Throwable cause) {
        this(code, message, httpStatus, cause, null);
    }

    /** A failure that says when to try again ({@code unavailable}, {@code rate_limited}). */
    public TandemException(String code, String message, int httpStatus, Throwable cause, Duration retryAfter) {
        this(code, message, httpStatus, cause, retryAfter, null);
    }

    /** A server refusal with its {@code details} (a live record's {@code conflict}, an {@code invalid} record). */
    public TandemException(String code, String message, int httpStatus, Throwable cause, Duration retryAfter,
                           JsonNode details) {
        super(code + ": " + message, cause);
        this.code = code;
        this.httpStatus = httpStatus;
        this.retryAfter = retryAfter;
        this.details = details;
    }

    /** The failure an {@code error} frame's payload (or an HTTP error body's {@code error}) describes. */
    static TandemException fromErrorPayload(JsonNode error, int httpStatus, Duration fallbackRetryAfter) {
        Duration retryAfter = error.path("retryAfter").canConvertToLong()
                ? Duration.ofMillis(error.path("retryAfter").asLong()) : fallbackRetryAfter;
        JsonNode details = error.get("details");
        return new TandemException(error.path("code").asText("internal"), error.path("message").asText(),
                httpStatus, null, retryAfter, details == null || details.isNull() ? null : details.deepCopy());
    }

    static TandemException fromErrorPayload(JsonNode error) {
        return fromErrorPayload(error, 0, null);
    }

    /**
     * What the server said beyond the code, or null: for a live record's {@code conflict},
     * {@code {current, fields}}; for {@code invalid}, {@code {errors}}. Do not modify it.
     */
    public JsonNode details() {
        return details;
    }

    /**
     * How long the server asked the caller to wait before trying again ({@code retryAfter} of an error frame, or
     * {@code Retry-After} of an HTTP 503/429), or null when it did not say.
     */
    public Duration retryAfter() {
        return retryAfter;
    }

    public String code() {
        return code;
    }

    /** The HTTP status for server API failures, 0 for WebSocket requests. */
    public int httpStatus() {
        return httpStatus;
    }
}
