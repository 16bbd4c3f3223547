package dev.tandem.hub;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * A channel's recent publications in memory: a bounded deque trimmed by count and by age. Not
 * thread-safe; its channel's lock guards it. Because seqs are contiguous, the deque always holds
 * {@code [oldestSeq, newestSeq]} without holes, which makes "does history still cover seq N" one comparison.
 */
final class MemoryHistory {
    /**
     * The history of a channel nothing was published on yet, shared: most channels of an idle node (one per user,
     * per record) never get a publication, and a deque of their own cost each 56 bytes. Never mutated: the first
     * {@link #add} replaces it, and {@link #clear} puts it back.
     */
    private static final ArrayDeque<Publication> NONE = new ArrayDeque<>(0);

    private final int capacity;
    private final long ttlMillis;
    private ArrayDeque<Publication> entries = NONE;

    MemoryHistory(int capacity, long ttlMillis) {
        this.capacity = capacity;
        this.ttlMillis = ttlMillis;
    }

    void add(Publication publication) {
        if (entries == NONE) {
            entries = new ArrayDeque<>(2);
        }
        if (entries.size() == capacity) {
            entries.removeFirst();
        }
        entries.addLast(publication);
    }

    void expire(long now) {
        while (!entries.isEmpty() && entries.peekFirst().timestamp() + ttlMillis <= now) {
            entries.removeFirst();
        }
    }

    /** Forgets everything: the next publication added starts a new contiguous run. */
    void clear() {
        entries = NONE;
    }

    boolean isEmpty() {
        return entries.isEmpty();
    }

    int size() {
        return entries.size();
    }

    /** Whether every publication with seq &gt;= {@code seq} up to the newest is still held. */
    boolean covers(long seq) {
        return !entries.isEmpty() && entries.peekFirst().seq() <= seq;
    }

    /** Every held publication with seq &gt; {@code seq}, oldest first. */
    List<Publication> after(long seq) {
        List<Publication> result = new ArrayList<>();
        for (Publication p : entries) {
            if (p.seq() > seq) {
                result.add(p);
            }
        }
        return result;
    }

    HistoryPage page(HistoryQuery query, long latestSeq, String epoch) {
        List<Publication> page = new ArrayList<>(Math.min(query.limit(), entries.size()));
        boolean more;
        if (query.before() < 0 && query.after() >= 0) {
            more = collectForward(query, page);
        } else {
            more = collectBackward(query, page);
        }
        return new HistoryPage(page, latestSeq, epoch, more);
    }

    private boolean collectForward(HistoryQuery query, List<Publication> page) {
        for (Publication p : entries) {
            if (p.seq() <= query.after()) {
                continue;
            }
            if (page.size() == query.limit()) {
                return true;
            }
            page.add(p);
        }
        return false;
    }

    private boolean collectBackward(HistoryQuery query, List<Publication> page) {
        long before = query.before() < 0 ? Long.MAX_VALUE : query.before();
        Iterator<Publication> newestFirst = entries.descendingIterator();
        boolean more = false;
        while (newestFirst.hasNext()) {
            Publication p = newestFirst.next();
            if (p.seq() >= before) {
                continue;
            }
            if (page.size() == query.limit()) {
                more = true;
                break;
            }
            page.add(p);
        }
        Collections.reverse(page);
        return more;
    }
}
