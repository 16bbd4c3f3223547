package dev.tandem.config;

/**
 * Who may connect.
 *
 * @param anonymous accept connections without a token (user id {@code anon-…}, or {@code ?user=NAME} in dev)
 */
public record AuthConfig(boolean anonymous) {
}
