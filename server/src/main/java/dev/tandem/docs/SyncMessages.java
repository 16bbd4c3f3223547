package dev.tandem.docs;

import dev.tandem.yjs.Lib0Writer;

/**
 * The y-protocols message framing used by y-websocket: a varUint outer type, then for sync messages a varUint
 * step and a length-prefixed Yjs payload, for awareness a length-prefixed awareness update.
 */
final class SyncMessages {
    static final int SYNC = 0;
    static final int AWARENESS = 1;
    static final int AUTH = 2;
    static final int QUERY_AWARENESS = 3;

    static final int STEP1 = 0;
    static final int STEP2 = 1;
    static final int UPDATE = 2;

    private SyncMessages() {
    }

    static byte[] sync(int step, byte[] payload) {
        return new Lib0Writer(payload.length + 8).varUint(SYNC).varUint(step).varBytes(payload).toByteArray();
    }

    /**
     * A received sync step 2 as the update message relayed to other connections: the same bytes with the step
     * changed (outer type 0 and steps 1 and 2 are one byte each), so the payload is not encoded again.
     */
    static byte[] asUpdate(byte[] step2) {
        byte[] update = step2.clone();
        update[1] = UPDATE;
        return update;
    }

    static byte[] awareness(byte[] update) {
        return new Lib0Writer(update.length + 8).varUint(AWARENESS).varBytes(update).toByteArray();
    }
}
