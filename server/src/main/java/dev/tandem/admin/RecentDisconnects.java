package dev.tandem.admin;

import dev.tandem.session.Session;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The last few disconnects on this node with their reasons, for the dashboard. A fixed-capacity ring: the
 * oldest entry is dropped when a new one comes, so memory stays constant however many clients come and go.
 * Fed by {@code SessionRegistry.onClose} on the event loops; the lock is held for an enqueue or a copy only.
 */
public final class RecentDisconnects {
    private final int capacity;
    private final ArrayDeque<Entry> ring;

    public RecentDisconnects(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.ring = new ArrayDeque<>(capacity);
    }

    /** Records a session that just closed. */
    public void record(Session session) {
        Session.CloseReason reason = session.closeReason();
        add(new Entry(System.currentTimeMillis(), session.id(), session.userId(), session.transport().name(),
                reason.code().code(), reason.reason()));
    }

    public synchronized void add(Entry entry) {
        if (ring.size() == capacity) {
            ring.pollFirst();
        }
        ring.addLast(entry);
    }

    /** A copy, newest first. */
    public synchronized List<Entry> newestFirst() {
        List<Entry> copy = new ArrayList<>(ring.size());
        for (Iterator<Entry> it = ring.descendingIterator(); it.hasNext(); ) {
            copy.add(it.next());
        }
        return copy;
    }

    /**
     * One disconnect.
     *
     * @param time         when, ms since the epoch
     * @param connectionId the session id
     * @param userId       who
     * @param transport    transport name
     * @param code         close code
     * @param reason       close reason as logged
     */
    public record Entry(long time, String connectionId, String userId, String transport, int code, String reason) {
    }
}
