package dev.tandem.store;

/**
 * How far one user has received and read one channel.
 *
 * @param channel       channel name
 * @param userId        the user
 * @param deliveredUpTo highest seq delivered to the user's device
 * @param readUpTo      highest seq the user has read
 */
public record ReceiptCursor(String channel, String userId, long deliveredUpTo, long readUpTo) {
}
