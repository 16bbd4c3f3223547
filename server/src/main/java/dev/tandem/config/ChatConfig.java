package dev.tandem.config;

import java.time.Duration;
import java.util.List;

/**
 * Chat messages, receipts and typing.
 *
 * @param maxContentBytes    largest {@code payload.content} of a message, in UTF-8 bytes
 * @param idempotencyWindow  how long a {@code clientMsgId} is remembered per channel
 * @param typingInterval     one {@code typing} per user per channel per this interval; extras are dropped
 * @param receiptInterval    a user's receipts are fanned out to a channel at most once per this interval
 * @param receiptNamesUpTo   receipt queries list user ids up to this many readers, counts above it
 * @param moderators         user ids that may delete anyone's messages (until roles come from identities)
 */
public record ChatConfig(int maxContentBytes, Duration idempotencyWindow, Duration typingInterval,
                         Duration receiptInterval, int receiptNamesUpTo, List<String> moderators) {
}
