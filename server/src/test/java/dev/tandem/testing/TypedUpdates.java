package dev.tandem.testing;

import dev.tandem.yjs.Lib0Writer;
import java.util.ArrayList;
import java.util.List;

/**
 * Yjs updates as an editor typing produces them: one client appending one character after its previous one to
 * the root text {@code "text"}, one update per character. Long histories for tests of merging and syncing.
 */
public final class TypedUpdates {
    private TypedUpdates() {
    }

    /** The update inserting the character at {@code clock} (after the one at {@code clock - 1}). */
    public static byte[] typed(long client, long clock) {
        Lib0Writer w = new Lib0Writer().varUint(1).varUint(1).varUint(client).varUint(clock);
        if (clock == 0) {
            w.uint8(4).varUint(1).varString("text"); // ContentString, parent = root type "text"
        } else {
            w.uint8(0x80 | 4).varUint(client).varUint(clock - 1); // origin: the previous character
        }
        return w.varString("x").varUint(0).toByteArray();
    }

    /** The updates typing {@code count} characters from {@code fromClock}. */
    public static List<byte[]> typed(long client, long fromClock, int count) {
        List<byte[]> updates = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            updates.add(typed(client, fromClock + i));
        }
        return updates;
    }
}
