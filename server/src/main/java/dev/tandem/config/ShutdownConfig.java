package dev.tandem.config;

import java.time.Duration;

/**
 * Graceful drain on SIGTERM.
 *
 * @param timeout the longest a drain may take before the process exits anyway
 */
public record ShutdownConfig(Duration timeout) {
}
