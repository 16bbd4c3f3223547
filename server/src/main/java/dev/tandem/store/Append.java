package dev.tandem.store;

/**
 * A request to append one event to a channel.
 *
 * @param channel     channel name
 * @param type        frame type of the event
 * @param messageId   the chat message the event is about (new id for {@code message.new}), or null
 * @param payload     payload JSON text
 * @param userId      who caused it, or null
 * @param clientMsgId idempotency key: a second append with the same key in the channel is a duplicate
 * @param createdAt   ms since the epoch
 * @param mutation    a change to an earlier message made in the same transaction, or null
 */
public record Append(String channel, String type, String messageId, String payload, String userId,
                     String clientMsgId, long createdAt, Mutation mutation) {

    /** A plain publication. */
    public static Append publication(String channel, String payload, String userId, long createdAt) {
        return new Append(channel, "publication", null, payload, userId, null, createdAt, null);
    }

    /**
     * An edit or delete of message {@code messageId}, checked and applied in the append's transaction.
     *
     * @param kind          edit or delete
     * @param content          the new content (edit only)
     * @param actorMayModerate whether the actor may delete other users' messages
     */
    public record Mutation(Kind kind, String content, boolean actorMayModerate) {
        public enum Kind { EDIT, DELETE }
    }
}
