package dev.tandem.protocol;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A client mistake or refusal that becomes an {@code error} frame (or an HTTP 4xx). It carries no stack
 * trace: it is expected control flow, never logged as a failure of the server.
 */
public final class ProtocolException extends RuntimeException {
    private final ErrorCode code;
    private final transient JsonNode details;

    public ProtocolException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /** A refusal with a {@code details} object for the client (the stored record of a conflict, schema errors). */
    public ProtocolException(ErrorCode code, String message, JsonNode details) {
        super(message, null, false, false);
        this.code = code;
        this.details = details;
    }

    /** Extra machine-readable context sent as {@code details}, or null. */
    public JsonNode details() {
        return details;
    }

    public static ProtocolException badRequest(String message) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, message);
    }

    public ErrorCode code() {
        return code;
    }
}
