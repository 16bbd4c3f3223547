package dev.tandem.hub;

/**
 * Where one user stands in an {@code ack: required} channel.
 *
 * @param userId       the user
 * @param acked        highest seq the user confirmed
 * @param delivered    highest seq delivered to the user's connections
 * @param lag          publications delivered but not yet confirmed
 * @param redeliveries times the current unconfirmed position was sent again
 */
public record AckLag(String userId, long acked, long delivered, long lag, int redeliveries) {
}
