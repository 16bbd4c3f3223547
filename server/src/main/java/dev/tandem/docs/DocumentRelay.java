package dev.tandem.docs;

/**
 * How the copies of one document room on the nodes of a cluster stay one document: each node relays what its
 * own editors change (sync updates and awareness) to the others, which apply it in memory and pass it to their
 * editors. Only the node an update came from stores it, so the shared store holds each update once; a node
 * that loads a room asks the others for whatever its copy lacks (Yjs merging is idempotent, so an answer that
 * overlaps what it has is harmless). {@link #NONE} is a single node.
 *
 * <p>Every method returns at once: a room calls {@link #share} under its lock, on an event loop.
 */
public interface DocumentRelay {
    /** A single node: nothing leaves the process. */
    DocumentRelay NONE = new DocumentRelay() {
        @Override
        public void share(String room, byte[] message) {
        }

        @Override
        public void requestSync(String room, byte[] stateVector) {
        }

        @Override
        public void answer(String node, String room, byte[] message) {
        }

        @Override
        public void deleted(String room) {
        }

        @Override
        public void start(Receiver receiver) {
        }
    };

    /** A y-protocols message (sync update or awareness update) this node applied to {@code room} for its editors. */
    void share(String room, byte[] message);

    /** Asks every other node holding {@code room} for what a copy with {@code stateVector} lacks. */
    void requestSync(String room, byte[] stateVector);

    /** Answers {@code node}'s {@link #requestSync} with a sync update message. */
    void answer(String node, String room, byte[] message);

    /** The document was deleted through this node: the others drop their copies. */
    void deleted(String room);

    /** Starts delivering what the other nodes relay to {@code receiver}. */
    void start(Receiver receiver);

    /** What a relay delivers to: this node's rooms. Called on the relay's own thread, in the order sent. */
    interface Receiver {
        /** {@code node}'s {@link #share} (or its answer to this node's request). */
        void relayed(String node, String room, byte[] message);

        /** Another node's {@link #requestSync}. */
        void syncRequested(String node, String room, byte[] stateVector);

        /** Another node deleted the document. */
        void deleted(String room);

        /** The relay was interrupted (an outage): messages may be lost, every loaded room must ask again. */
        void resync();
    }
}
