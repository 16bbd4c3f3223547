package dev.tandem.hub;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Where each user stands in one {@code ack: required} channel: the highest seq the user confirmed, the highest
 * seq delivered to any of the user's connections, and how long and how often the gap between them has waited.
 * Kept per user rather than per connection so that it survives a reconnect: that is what lets a resubscribe
 * replay from the last confirmed seq even when the client's {@code since} is further on. Not thread-safe; its
 * channel's lock guards it. A cursor is forgotten when its user has not been subscribed for the channel's history
 * ttl (by then there is nothing left to redeliver) or with the channel.
 */
final class AckCursors {
    private final Map<String, Cursor> byUser = new HashMap<>();

    /** One user's position. */
    static final class Cursor {
        long acked;
        long delivered;
        /** When the oldest unconfirmed delivery (or the last redelivery) happened; 0 when nothing is owed. */
        long pendingSince;
        int redeliveries;
        long touched;

        long lag() {
            return Math.max(0, delivered - acked);
        }
    }

    Cursor get(String user) {
        return byUser.get(user);
    }

    /** The user (re)joined at {@code from}: everything after it is delivered (replayed) up to {@code latest}. */
    void joined(String user, long from, long latest, long now) {
        Cursor cursor = byUser.computeIfAbsent(user, u -> new Cursor());
        cursor.acked = from;
        cursor.delivered = latest;
        cursor.redeliveries = 0;
        cursor.pendingSince = from < latest ? now : 0;
        cursor.touched = now;
    }

    void delivered(String user, long seq, long now) {
        Cursor cursor = byUser.get(user);
        if (cursor == null || seq <= cursor.delivered) {
            return;
        }
        if (cursor.acked >= cursor.delivered) {
            cursor.pendingSince = now;
        }
        cursor.delivered = seq;
        cursor.touched = now;
    }

    /** Confirms every seq up to {@code seq} (never past what was delivered); false when the user has no cursor. */
    boolean confirm(String user, long seq, long now) {
        Cursor cursor = byUser.get(user);
        if (cursor == null) {
            return false;
        }
        long upTo = Math.min(seq, cursor.delivered);
        if (upTo > cursor.acked) {
            cursor.acked = upTo;
            cursor.redeliveries = 0;
            cursor.pendingSince = upTo >= cursor.delivered ? 0 : now;
        }
        cursor.touched = now;
        return true;
    }

    /** Users whose oldest unconfirmed delivery has waited {@code timeoutMillis} and may be redelivered again. */
    List<String> due(long now, long timeoutMillis, int maxRedeliveries) {
        List<String> due = new ArrayList<>();
        byUser.forEach((user, c) -> {
            if (c.pendingSince != 0 && now - c.pendingSince >= timeoutMillis && c.redeliveries < maxRedeliveries) {
                due.add(user);
            }
        });
        return due;
    }

    void redelivered(String user, long now) {
        Cursor cursor = byUser.get(user);
        cursor.redeliveries++;
        cursor.pendingSince = now;
    }

    /** Forgets users not seen for {@code ttlMillis} unless {@code subscribed} says they still are. */
    void forgetIdle(long now, long ttlMillis, Predicate<String> subscribed) {
        byUser.entrySet().removeIf(e -> now - e.getValue().touched > ttlMillis && !subscribed.test(e.getKey()));
    }

    Map<String, Cursor> all() {
        return byUser;
    }
}
