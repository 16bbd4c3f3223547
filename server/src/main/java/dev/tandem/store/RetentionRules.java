package dev.tandem.store;

import java.util.function.ToLongFunction;

/**
 * How long things stay in the live tables.
 *
 * @param retentionMillis        a channel's event retention
 * @param shortestMillis         the shortest retention of any channel (bounds the scan for candidates)
 * @param longestMillis          the longest retention of any channel (older storage can be dropped whole)
 * @param idempotencyWindowMillis how long a client message id is remembered
 */
public record RetentionRules(ToLongFunction<String> retentionMillis, long shortestMillis, long longestMillis,
                             long idempotencyWindowMillis) {
}
