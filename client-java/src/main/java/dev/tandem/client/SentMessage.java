package dev.tandem.client;

/**
 * The server's acknowledgement of {@link ChatRoom#send}.
 *
 * @param id          the message id
 * @param seq         the seq of its {@code message.new} event
 * @param duplicate   true when the {@code clientMsgId} had been sent before (a retry, another device): the
 *                    original message's id and seq, and no second event
 * @param clientMsgId the idempotency key the message was sent with
 */
public record SentMessage(String id, long seq, boolean duplicate, String clientMsgId) {
}
