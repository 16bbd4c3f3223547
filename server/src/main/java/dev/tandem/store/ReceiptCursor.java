package dev.tandem.store;

/**
 * How far one user has received and read one channel.
 *
 * @param channel       channel name
 * @param userId        the user
 * @param userName      the user's display name when the receipt was sent, or null when unknown
 * @param deliveredUpTo highest seq delivered to the user's device
 * @param readUpTo      highest seq the user has read
 */
public record ReceiptCursor(String channel, String userId, String userName, long deliveredUpTo, long readUpTo) {
}
