package dev.tandem.docs;

import dev.tandem.yjs.Lib0Reader;
import dev.tandem.yjs.Lib0Writer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The awareness states of one room (y-protocols awareness: per Yjs client id a clock and a JSON state) and
 * which connection announced each, so that a closing connection's states can be removed for everyone.
 * Not thread-safe: the owning room guards it.
 */
final class Awareness {
    private static final String NULL = "null";

    private record State(long clock, String json, DocumentPeer owner) {
    }

    private final Map<Long, State> states = new HashMap<>();

    /**
     * Applies an awareness update from {@code from}; a newer clock wins, a {@code null} state removes. The
     * connection that first announced a client id owns it (as in the reference y-websocket server): clients
     * echo every state they learn, so the latest sender is not necessarily the owner. Returns the newest state
     * {@code from} owns in this update (its own announcement or renewal), or null.
     */
    String apply(byte[] update, DocumentPeer from) {
        String owned = null;
        Lib0Reader in = new Lib0Reader(update);
        long n = in.varUint();
        for (long i = 0; i < n; i++) {
            long client = in.varUint();
            long clock = in.varUint();
            String json = in.varString();
            State known = states.get(client);
            if (known != null && known.clock > clock) {
                continue;
            }
            if (NULL.equals(json)) {
                states.remove(client);
                continue;
            }
            DocumentPeer owner = known == null ? from : known.owner;
            states.put(client, new State(clock, json, owner));
            if (owner == from) {
                owned = json;
            }
        }
        return owned;
    }

    boolean isEmpty() {
        return states.isEmpty();
    }

    /** An awareness update holding every known state. */
    byte[] encodeAll() {
        Lib0Writer out = new Lib0Writer().varUint(states.size());
        states.forEach((client, s) -> out.varUint(client).varUint(s.clock).varString(s.json));
        return out.toByteArray();
    }

    /** Removes the states {@code owner} announced and returns the update telling others (null states), or null. */
    byte[] removeOwnedBy(DocumentPeer owner) {
        List<Map.Entry<Long, State>> owned = new ArrayList<>();
        for (Map.Entry<Long, State> e : states.entrySet()) {
            if (e.getValue().owner == owner) {
                owned.add(e);
            }
        }
        if (owned.isEmpty()) {
            return null;
        }
        Lib0Writer out = new Lib0Writer().varUint(owned.size());
        for (Map.Entry<Long, State> e : owned) {
            states.remove(e.getKey());
            out.varUint(e.getKey()).varUint(e.getValue().clock + 1).varString(NULL);
        }
        return out.toByteArray();
    }
}
