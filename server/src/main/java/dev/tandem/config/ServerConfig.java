package dev.tandem.config;

import java.util.List;

/**
 * Browser-facing settings of the HTTP server.
 *
 * @param allowedOrigins origins (e.g. {@code https://app.example.com}) allowed to open WebSocket and SSE
 *                       connections and to call the REST API from a browser, besides the server's own origin
 *                       (and {@code localhost} in dev mode); {@code *} allows any origin
 */
public record ServerConfig(List<String> allowedOrigins) {
}
