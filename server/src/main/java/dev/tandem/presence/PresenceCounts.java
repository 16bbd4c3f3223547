package dev.tandem.presence;

/**
 * How many are present in a channel, for {@code presence:stats} and the REST API.
 *
 * @param users       distinct users present
 * @param connections connections present (a user with two tabs counts twice)
 */
public record PresenceCounts(int users, int connections) {
}
