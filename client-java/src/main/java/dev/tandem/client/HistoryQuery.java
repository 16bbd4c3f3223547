package dev.tandem.client;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Which page of history to read: the publications after a seq (paging forward), before a seq (paging back),
 * or the newest ones. The server serves at most {@value #MAX_LIMIT} per page.
 *
 * @param after  exclusive lower bound, or -1
 * @param before exclusive upper bound, or -1
 * @param limit  page size, 1 to {@value #MAX_LIMIT}
 */
public record HistoryQuery(long after, long before, int limit) {
    public static final int MAX_LIMIT = 100;

    public HistoryQuery {
        if (after >= 0 && before >= 0) {
            throw new IllegalArgumentException("give after or before, not both");
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT + ", was " + limit);
        }
    }

    public static HistoryQuery after(long seq) {
        return new HistoryQuery(requireSeq(seq), -1, MAX_LIMIT);
    }

    public static HistoryQuery before(long seq) {
        return new HistoryQuery(-1, requireSeq(seq), MAX_LIMIT);
    }

    public static HistoryQuery latest() {
        return new HistoryQuery(-1, -1, MAX_LIMIT);
    }

    public HistoryQuery limit(int limit) {
        return new HistoryQuery(after, before, limit);
    }

    void writeTo(ObjectNode frame) {
        if (after >= 0) {
            frame.put("after", after);
        }
        if (before >= 0) {
            frame.put("before", before);
        }
        frame.put("limit", limit);
    }

    String toQueryString() {
        StringBuilder query = new StringBuilder("limit=").append(limit);
        if (after >= 0) {
            query.append("&after=").append(after);
        }
        if (before >= 0) {
            query.append("&before=").append(before);
        }
        return query.toString();
    }

    private static long requireSeq(long seq) {
        if (seq < 0) {
            throw new IllegalArgumentException("seq must be >= 0, was " + seq);
        }
        return seq;
    }
}
