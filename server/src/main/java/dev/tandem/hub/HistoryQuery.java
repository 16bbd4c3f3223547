package dev.tandem.hub;

import dev.tandem.protocol.ProtocolException;

/**
 * A request for a page of history: publications after a seq (paging forward), before a seq (paging back),
 * or the newest ones when neither is given.
 *
 * @param after  exclusive lower bound, or -1
 * @param before exclusive upper bound, or -1
 * @param limit  page size, 1 to {@value #MAX_LIMIT}
 */
public record HistoryQuery(long after, long before, int limit) {
    public static final int MAX_LIMIT = 100;

    /** Validates and clamps: a limit above the maximum is served as the maximum. */
    public static HistoryQuery of(long after, long before, long limit) {
        if (after >= 0 && before >= 0) {
            throw ProtocolException.badRequest("give 'after' or 'before', not both");
        }
        if (limit < 1) {
            throw ProtocolException.badRequest("'limit' must be at least 1");
        }
        return new HistoryQuery(after, before, (int) Math.min(limit, MAX_LIMIT));
    }
}
