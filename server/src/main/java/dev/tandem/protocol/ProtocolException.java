package dev.tandem.protocol;

/**
 * A client mistake or refusal that becomes an {@code error} frame (or an HTTP 4xx). It carries no stack
 * trace: it is expected control flow, never logged as a failure of the server.
 */
public final class ProtocolException extends RuntimeException {
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message, null, false, false);
        this.code = code;
    }

    public static ProtocolException badRequest(String message) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, message);
    }

    public ErrorCode code() {
        return code;
    }
}
