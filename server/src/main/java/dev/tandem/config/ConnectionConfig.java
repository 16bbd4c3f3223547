package dev.tandem.config;

import java.time.Duration;

/**
 * Per-connection timings.
 *
 * @param pingInterval how often the server pings an idle connection; announced in {@code connected}.
 *                     A connection that sends nothing (not even a pong) for twice this long is closed.
 */
public record ConnectionConfig(Duration pingInterval) {
}
