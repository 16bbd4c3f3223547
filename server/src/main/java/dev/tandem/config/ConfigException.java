package dev.tandem.config;

/**
 * A configuration value that cannot be used. Its message is one line that names the key, meant to be
 * printed as is to an operator (exit code 2), never with a stack trace.
 */
public final class ConfigException extends RuntimeException {
    public ConfigException(String key, String problem) {
        super("invalid configuration '" + key + "': " + problem, null, false, false);
    }
}
