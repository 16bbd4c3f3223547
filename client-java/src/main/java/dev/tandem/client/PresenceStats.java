package dev.tandem.client;

/**
 * How many are present in a channel, sent instead of the member list when the channel has more users than its
 * namespace's {@code syncLimit}.
 *
 * @param users       distinct users present
 * @param connections their connections
 */
public record PresenceStats(long users, long connections) {
}
