package dev.tandem.protocol;

/**
 * Every error code the native protocol can put in {@code error.payload.code}, and the HTTP status the
 * REST API answers with for the same failure. One table, referenced by every transport and service, so
 * that a client sees the same code for the same mistake whichever way it came in.
 */
public enum ErrorCode {
    BAD_REQUEST("bad_request", 400),
    UNAUTHORIZED("unauthorized", 401),
    FORBIDDEN("forbidden", 403),
    NOT_FOUND("not_found", 404),
    CONFLICT("conflict", 409),
    INVALID("invalid", 422),
    RATE_LIMITED("rate_limited", 429),
    TOO_LARGE("too_large", 413),
    LIMIT_EXCEEDED("limit_exceeded", 429),
    UNAVAILABLE("unavailable", 503),
    INTERNAL("internal", 500);

    private final String wireName;
    private final int httpStatus;

    ErrorCode(String wireName, int httpStatus) {
        this.wireName = wireName;
        this.httpStatus = httpStatus;
    }

    /** The code as written on the wire, e.g. {@code bad_request}. */
    public String wireName() {
        return wireName;
    }

    public int httpStatus() {
        return httpStatus;
    }
}
