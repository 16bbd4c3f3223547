package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A chat message as the room shows it now (docs/chat.md): the {@code message.new} event with later edits and
 * deletion applied. A deleted message keeps only its id, seq, author and times ({@code content} null).
 *
 * @param id          the server's message id
 * @param seq         the seq of its {@code message.new} event on the channel
 * @param userId      the author
 * @param content     the current text; null once deleted
 * @param clientMsgId the id the sender chose for idempotent sending
 * @param createdAt   ms since the epoch
 * @param editedAt    when it was last edited, or 0
 * @param deleted     whether it was deleted
 * @param deletedAt   when it was deleted, or 0
 */
public record ChatMessage(String id, long seq, String userId, String content, String clientMsgId, long createdAt,
                          long editedAt, boolean deleted, long deletedAt) {

    /** The message a {@code message.new} frame (live, or as history stores it) describes, or null. */
    static ChatMessage from(Publication frame) {
        JsonNode p = frame.payload();
        if (p == null || !p.hasNonNull("id")) {
            return null;
        }
        boolean deleted = p.path("deleted").asBoolean(false);
        return new ChatMessage(p.path("id").asText(), frame.seq(), p.path("userId").asText(null),
                deleted ? null : p.path("content").asText(null), p.path("clientMsgId").asText(null),
                p.path("createdAt").asLong(frame.timestamp()), p.path("editedAt").asLong(0), deleted,
                p.path("deletedAt").asLong(0));
    }

    ChatMessage edited(String newContent, long at) {
        return new ChatMessage(id, seq, userId, newContent, clientMsgId, createdAt, at, false, 0);
    }

    ChatMessage tombstone(long at) {
        return new ChatMessage(id, seq, userId, null, clientMsgId, createdAt, editedAt, true, at);
    }
}
