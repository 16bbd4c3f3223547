package dev.tandem.hub;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * A channel's subscribers as the copy-on-write array that fanout iterates, plus a hash index for membership
 * once the channel is crowded. Most channels have a subscriber or two (a user's own channel, a record being
 * viewed), so an idle one costs a one-element array instead of a linked hash set (about 200 bytes). Not
 * thread-safe: the channel's lock guards it, and a fanout keeps iterating the array it read even if a
 * subscriber joins meanwhile.
 */
final class SubscriberSet {
    private static final Subscriber[] NONE = new Subscriber[0];
    /** Below this size a linear scan is as fast as hashing and costs no memory. */
    private static final int INDEX_FROM = 16;

    private Subscriber[] members = NONE;
    private Set<Subscriber> index;

    boolean contains(Subscriber subscriber) {
        if (index != null) {
            return index.contains(subscriber);
        }
        for (Subscriber member : members) {
            if (member == subscriber) {
                return true;
            }
        }
        return false;
    }

    /** Adds a subscriber that is not a member yet (callers check {@link #contains} first). */
    void add(Subscriber subscriber) {
        Subscriber[] grown = Arrays.copyOf(members, members.length + 1);
        grown[members.length] = subscriber;
        members = grown;
        if (index != null) {
            index.add(subscriber);
        } else if (members.length >= INDEX_FROM) {
            index = new HashSet<>(Arrays.asList(members));
        }
    }

    boolean remove(Subscriber subscriber) {
        if (index != null && !index.remove(subscriber)) {
            return false;
        }
        for (int i = 0; i < members.length; i++) {
            if (members[i] == subscriber) {
                Subscriber[] shrunk = new Subscriber[members.length - 1];
                System.arraycopy(members, 0, shrunk, 0, i);
                System.arraycopy(members, i + 1, shrunk, i, members.length - i - 1);
                members = shrunk.length == 0 ? NONE : shrunk;
                if (index != null && members.length < INDEX_FROM / 2) {
                    index = null;
                }
                return true;
            }
        }
        return false;
    }

    /** The current members; never modified after it is returned, so it may be iterated outside the lock. */
    Subscriber[] array() {
        return members;
    }

    int size() {
        return members.length;
    }

    boolean isEmpty() {
        return members.length == 0;
    }
}
