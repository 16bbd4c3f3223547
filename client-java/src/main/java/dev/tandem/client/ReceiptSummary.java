package dev.tandem.client;

import java.util.List;

/**
 * Who has received and read a chat channel up to a seq ({@code GET /api/channels/{channel}/receipts?seq=N}).
 *
 * @param channel   the channel
 * @param seq       the seq asked about
 * @param delivered users whose delivered position reached it
 * @param read      users whose read position reached it
 */
public record ReceiptSummary(String channel, long seq, Reached delivered, Reached read) {

    /**
     * The users who reached the seq.
     *
     * @param count how many
     * @param users who (userId, display name); empty above the server's {@code chat.receiptNamesUpTo}
     */
    public record Reached(long count, List<ChatUser> users) {
    }
}
