package dev.tandem.store;

/**
 * A client message id to claim in a channel for a message: the key that makes a {@code message.send}
 * idempotent. Claimed in the transaction that stores the message, so a retry, a second device or another node
 * sending the same id finds it.
 *
 * @param channel     the channel
 * @param clientMsgId the sender's id for the message
 * @param messageId   the server's id of the message it would be
 * @param createdAt   when it was sent (ms), from which the idempotency window is counted
 */
public record IdClaim(String channel, String clientMsgId, String messageId, long createdAt) {

    /** The claim's identity within a batch: its channel and client message id, as one string. */
    public String key() {
        return key(channel, clientMsgId);
    }

    /** The key of a claim of {@code clientMsgId} in {@code channel}. */
    public static String key(String channel, String clientMsgId) {
        return channel + '\u0000' + clientMsgId;
    }
}
