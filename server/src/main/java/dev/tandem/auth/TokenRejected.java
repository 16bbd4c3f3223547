package dev.tandem.auth;

/**
 * A token that does not prove who its bearer is. {@link #reason} is a short code for logs and metrics
 * ({@code expired}, {@code bad_signature}, …); the message is safe to send to the client. Neither ever
 * contains the token.
 */
public final class TokenRejected extends RuntimeException {
    private final String reason;

    TokenRejected(String reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public String reason() {
        return reason;
    }
}
