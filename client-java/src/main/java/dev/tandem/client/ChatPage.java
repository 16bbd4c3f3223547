package dev.tandem.client;

import java.util.List;

/**
 * A page of a chat channel's stored messages, oldest first, with edits and deletions already applied.
 *
 * @param messages the messages of the page
 * @param more     whether the page was cut at its limit (older or newer messages remain, by direction)
 */
public record ChatPage(List<ChatMessage> messages, boolean more) {
}
