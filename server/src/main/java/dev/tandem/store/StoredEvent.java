package dev.tandem.store;

/**
 * One stored channel event, as read back.
 *
 * @param channel     channel name
 * @param seq         its seq in the channel
 * @param type        frame type: {@code publication}, {@code message.new}, {@code message.edit}, {@code message.delete}
 * @param messageId   the chat message it concerns, or null
 * @param payload     the payload as JSON text (a tombstone once the message was deleted)
 * @param userId      who caused it, or null for the server API
 * @param clientMsgId the sender's idempotency key, or null
 * @param createdAt   ms since the epoch; also the frame's {@code timestamp}
 */
public record StoredEvent(String channel, long seq, String type, String messageId, String payload, String userId,
                          String clientMsgId, long createdAt) {
}
