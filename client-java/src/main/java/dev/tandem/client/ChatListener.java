package dev.tandem.client;

import java.util.List;

/**
 * Hears a chat room on the client's event thread, after {@link ChatRoom#messages()} (and the other views)
 * already reflect the change. Every method has a default. Callbacks must not block.
 */
public interface ChatListener {
    /** A new message, live, in seq order, once. */
    default void onMessage(ChatMessage message) {
    }

    /** A message's text changed. */
    default void onEdited(ChatMessage message) {
    }

    /** A message was deleted (the tombstone). */
    default void onDeleted(ChatMessage message) {
    }

    /** The message list was (re)loaded from history: the first load, or after events were lost for good. */
    default void onLoaded(List<ChatMessage> messages) {
    }

    /** A user's read or delivered position moved. */
    default void onReceipt(Receipt receipt) {
    }

    /** The others typing now changed. */
    default void onTyping(List<ChatUser> typists) {
    }

    /** The server refused a command of the room or the subscription. */
    default void onError(TandemException error) {
    }
}
