package dev.tandem.config;

/**
 * Server HTTP API settings.
 *
 * @param key when set, {@code /api/*} requires {@code Authorization: apikey KEY}
 */
public record ApiConfig(String key) {
}
