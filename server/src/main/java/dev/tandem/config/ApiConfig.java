package dev.tandem.config;

/**
 * Server HTTP API settings.
 *
 * @param key when set, {@code /api/*} requires {@code Authorization: apikey KEY}; in production (serve) the
 *            API refuses every request until a key is set
 */
public record ApiConfig(String key) {
}
