package dev.tandem.protocol;

/**
 * The WebSocket close codes Tandem uses, with whether a client should reconnect after each. Every
 * server-initiated close is preceded by a {@code disconnect} frame carrying the same code when the
 * connection is still writable.
 */
public enum CloseCode {
    NORMAL(1000, false),
    TOO_LARGE(1009, false),
    SERVER_RESTARTING(1012, true),
    TRY_AGAIN_LATER(1013, true),
    UNAUTHORIZED(4001, false),
    FORBIDDEN(4003, false),
    POLICY(4008, true),
    RATE_LIMITED(4029, true);

    private final int code;
    private final boolean reconnect;

    CloseCode(int code, boolean reconnect) {
        this.code = code;
        this.reconnect = reconnect;
    }

    public int code() {
        return code;
    }

    /** Whether the client may reconnect (and resume) after this close. */
    public boolean reconnect() {
        return reconnect;
    }
}
