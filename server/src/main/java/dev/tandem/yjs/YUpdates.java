package dev.tandem.yjs;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Operations on Yjs updates in format v1, without a document: {@link #merge} ({@code Y.mergeUpdates}),
 * {@link #diff} ({@code Y.diffUpdate}) and {@link #stateVector} ({@code Y.encodeStateVectorFromUpdate}).
 *
 * <p>Design: these are line-by-line ports of {@code yjs/src/utils/updates.js} (13.6), because the point is
 * byte-level agreement with the JavaScript implementation: a server that answers sync step 1 with a diff
 * must produce what a Yjs peer would. The structs are read lazily per update, so memory is the size of the
 * output plus one struct per input. Items are never merged with each other (Yjs's lazy reader leaves
 * {@code item.right} unset, so {@code mergeWith} always refuses), only GCs and Skips are; items are only
 * sliced where updates overlap. Malformed input raises {@link MalformedUpdateException}.
 */
public final class YUpdates {
    /** The update of an empty document: no structs, empty delete set. */
    public static final byte[] EMPTY = {0, 0};

    private static final Comparator<YStructReader> ORDER = (a, b) -> {
        YStruct x = a.curr();
        YStruct y = b.curr();
        if (x.client != y.client) {
            return Long.compare(y.client, x.client);
        }
        if (x.clock != y.clock) {
            return Long.compare(x.clock, y.clock);
        }
        if (x.getClass() == y.getClass()) {
            return 0;
        }
        return x instanceof YStruct.Skip ? 1 : -1;
    };

    private YUpdates() {
    }

    /** Merges updates into one, as {@code Y.mergeUpdates} does; one update is returned as is. */
    public static byte[] merge(List<byte[]> updates) {
        if (updates.size() == 1) {
            return updates.get(0);
        }
        List<YStructReader> all = new ArrayList<>(updates.size());
        for (byte[] update : updates) {
            all.add(new YStructReader(new Lib0Reader(update), true));
        }
        ReaderQueue readers = new ReaderQueue(all);
        YStructWriter writer = new YStructWriter();
        YStruct currWrite = null;
        while (true) {
            readers.reorderHead();
            if (readers.isEmpty()) {
                break;
            }
            YStructReader currDecoder = readers.head();
            long firstClient = currDecoder.curr().client;
            if (currWrite != null) {
                YStruct curr = currDecoder.curr();
                boolean iterated = false;
                while (curr != null && curr.end() <= currWrite.end() && curr.client >= currWrite.client) {
                    curr = currDecoder.next();
                    iterated = true;
                }
                if (curr == null || curr.client != firstClient || (iterated && curr.clock > currWrite.end())) {
                    continue;
                }
                if (firstClient != currWrite.client) {
                    writer.write(currWrite, 0);
                    currWrite = curr;
                    currDecoder.next();
                } else if (currWrite.end() < curr.clock) {
                    if (currWrite instanceof YStruct.Skip skip) {
                        skip.length = curr.end() - skip.clock;
                    } else {
                        writer.write(currWrite, 0);
                        long diff = curr.clock - currWrite.end();
                        currWrite = new YStruct.Skip(firstClient, currWrite.end(), diff);
                    }
                } else {
                    long diff = currWrite.end() - curr.clock;
                    if (diff > 0) {
                        if (currWrite instanceof YStruct.Skip skip) {
                            skip.length -= diff;
                        } else {
                            curr = curr.sliceFrom(diff);
                        }
                    }
                    if (!currWrite.mergeWith(curr)) {
                        writer.write(currWrite, 0);
                        currWrite = curr;
                        currDecoder.next();
                    }
                }
            } else {
                currWrite = currDecoder.curr();
                currDecoder.next();
            }
            for (YStruct next = currDecoder.curr();
                 next != null && next.client == firstClient && next.clock == currWrite.end() && !(next instanceof YStruct.Skip);
                 next = currDecoder.next()) {
                writer.write(currWrite, 0);
                currWrite = next;
            }
        }
        if (currWrite != null) {
            writer.write(currWrite, 0);
        }
        Lib0Writer out = writer.finish();
        List<YDeleteSet> sets = new ArrayList<>(all.size());
        for (YStructReader reader : all) {
            sets.add(reader.deleteSet());
        }
        YDeleteSet.merge(sets).write(out);
        return out.toByteArray();
    }

    /**
     * The readers of a merge in the order Yjs's {@code mergeUpdates} keeps them: it stably sorts the whole list
     * by {@link #ORDER} before every step, and drops exhausted readers. Only the head reader advances between
     * two sorts, so the rest stays sorted and a stable sort only moves the head in front of the first reader
     * not smaller than it; doing just that (a binary search) gives the same order without sorting the list
     * per struct, which made merging n single-struct updates quadratic. Stored reversed, so the head is the
     * last element and the usual case (the head stays smallest) moves nothing.
     */
    private static final class ReaderQueue {
        private final List<YStructReader> reversed;
        private boolean sorted;

        ReaderQueue(List<YStructReader> readers) {
            reversed = new ArrayList<>(readers.size());
            for (YStructReader r : readers) {
                if (r.curr() != null) {
                    reversed.add(r);
                }
            }
        }

        boolean isEmpty() {
            return reversed.isEmpty();
        }

        YStructReader head() {
            return reversed.get(reversed.size() - 1);
        }

        /** Puts the list back in order after the head reader advanced (or sorts it the first time). */
        void reorderHead() {
            if (!sorted) {
                sorted = true;
                List<YStructReader> ascending = new ArrayList<>(reversed);
                ascending.sort(ORDER);
                for (int i = 0; i < ascending.size(); i++) {
                    reversed.set(ascending.size() - 1 - i, ascending.get(i));
                }
                return;
            }
            if (reversed.isEmpty()) {
                return;
            }
            YStructReader head = reversed.remove(reversed.size() - 1);
            if (head.curr() == null) {
                return;
            }
            // ascending index i is reversed index m - 1 - i; find the first i with head <= ascending[i]
            int m = reversed.size();
            int lo = 0;
            int hi = m;
            while (lo < hi) {
                int mid = (lo + hi) >>> 1;
                if (ORDER.compare(head, reversed.get(m - 1 - mid)) <= 0) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            reversed.add(m - lo, head);
        }
    }

    /** What {@code update} holds beyond the state vector {@code stateVector}, as {@code Y.diffUpdate} does. */
    public static byte[] diff(byte[] update, byte[] stateVector) {
        Map<Long, Long> state = decodeStateVector(stateVector);
        YStructWriter writer = new YStructWriter();
        YStructReader reader = new YStructReader(new Lib0Reader(update), false);
        while (reader.curr() != null) {
            YStruct curr = reader.curr();
            long currClient = curr.client;
            long svClock = state.getOrDefault(currClient, 0L);
            if (curr instanceof YStruct.Skip) {
                reader.next();
                continue;
            }
            if (curr.end() > svClock) {
                writer.write(curr, (int) Math.max(svClock - curr.clock, 0));
                reader.next();
                while (reader.curr() != null && reader.curr().client == currClient) {
                    writer.write(reader.curr(), 0);
                    reader.next();
                }
            } else {
                while (reader.curr() != null && reader.curr().client == currClient && reader.curr().end() <= svClock) {
                    reader.next();
                }
            }
        }
        Lib0Writer out = writer.finish();
        reader.deleteSet().write(out);
        return out.toByteArray();
    }

    /** The state vector of an update ({@code Y.encodeStateVectorFromUpdate}). */
    public static byte[] stateVector(byte[] update) {
        YStructReader reader = new YStructReader(new Lib0Reader(update), false);
        Lib0Writer entries = new Lib0Writer();
        int size = 0;
        YStruct curr = reader.curr();
        if (curr != null) {
            long currClient = curr.client;
            boolean stopCounting = curr.clock != 0;
            long currClock = stopCounting ? 0 : curr.end();
            for (; curr != null; curr = reader.next()) {
                if (currClient != curr.client) {
                    if (currClock != 0) {
                        size++;
                        entries.varUint(currClient).varUint(currClock);
                    }
                    currClient = curr.client;
                    currClock = 0;
                    stopCounting = curr.clock != 0;
                }
                if (curr instanceof YStruct.Skip) {
                    stopCounting = true;
                }
                if (!stopCounting) {
                    currClock = curr.end();
                }
            }
            if (currClock != 0) {
                size++;
                entries.varUint(currClient).varUint(currClock);
            }
        }
        return new Lib0Writer().varUint(size).bytes(entries.toByteArray()).toByteArray();
    }

    /** Whether an update carries nothing: no structs and an empty delete set. */
    public static boolean isEmpty(byte[] update) {
        return update.length == 2 && update[0] == 0 && update[1] == 0;
    }

    /** Checks that {@code update} is a well-formed v1 update (structs, then a delete set). */
    public static void validate(byte[] update) {
        YStructReader reader = new YStructReader(new Lib0Reader(update), false);
        while (reader.curr() != null) {
            reader.next();
        }
        reader.deleteSet();
    }

    static Map<Long, Long> decodeStateVector(byte[] stateVector) {
        Lib0Reader in = new Lib0Reader(stateVector);
        long n = in.varUint();
        Map<Long, Long> state = new HashMap<>();
        for (long i = 0; i < n; i++) {
            state.put(in.varUint(), in.varUint());
        }
        return state;
    }
}
