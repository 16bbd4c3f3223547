package dev.tandem.config;

/**
 * Admin dashboard settings.
 *
 * @param key the key for {@code /admin/api/*} ({@code Authorization: apikey KEY}); when null, {@code api.key}
 *            is used; when neither is set the dashboard is open in dev mode and disabled otherwise
 */
public record AdminConfig(String key) {
}
