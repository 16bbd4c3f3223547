package dev.tandem.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;

/**
 * A client mistake or refusal that becomes an {@code error} frame (or an HTTP 4xx). It carries no stack
 * trace: it is expected control flow, never logged as a failure of the server.
 */
public final class ProtocolException extends RuntimeException {
    private final ErrorCode code;
    private final Duration retryAfter;
    private final transient JsonNode details;

    public ProtocolException(ErrorCode code, String message) {
        this(code, message, null, null, null);
    }

    /**
     * A refusal that says when to try again ({@code unavailable}, {@code rate_limited}): the error frame carries
     * {@code retryAfter} (ms) and an HTTP reply the {@code Retry-After} header.
     */
    public ProtocolException(ErrorCode code, String message, Duration retryAfter) {
        this(code, message, retryAfter, null, null);
    }

    /** A refusal with a {@code details} object for the client (the stored record of a conflict, schema errors). */
    public ProtocolException(ErrorCode code, String message, JsonNode details) {
        this(code, message, null, details, null);
    }

    private ProtocolException(ErrorCode code, String message, Duration retryAfter, JsonNode details, Throwable cause) {
        super(message, cause, false, false);
        this.code = code;
        this.retryAfter = retryAfter;
        this.details = details;
    }

    /**
     * {@code unavailable} because a dependency failed; {@code cause} (its error, kept for the log) marks it as a
     * dependency failure, which circuit breakers count, unlike a refusal for load.
     */
    public static ProtocolException dependencyFailed(String message, Throwable cause) {
        return new ProtocolException(ErrorCode.UNAVAILABLE, message, null, null, cause);
    }

    /** Whether this is an {@code unavailable} caused by a failing dependency ({@link #dependencyFailed}). */
    public boolean isDependencyFailure() {
        return code == ErrorCode.UNAVAILABLE && getCause() != null;
    }

    public static ProtocolException badRequest(String message) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, message);
    }

    public ErrorCode code() {
        return code;
    }

    /** When the client may retry, or null when the error says nothing about it. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** Extra machine-readable context sent as {@code details}, or null. */
    public JsonNode details() {
        return details;
    }
}
