package dev.tandem.docs;

/**
 * Who is editing a document, told to Tandem presence so native clients of the channel {@code doc:{room}} see
 * editors join and leave. A room calls it under its lock: implementations must not block or call back into
 * the room.
 */
public interface DocumentPresence {
    /** Tells nothing (tests of the protocol alone). */
    DocumentPresence NONE = new DocumentPresence() {
        @Override
        public void announced(String room, DocumentPeer peer, String awarenessState) {
        }

        @Override
        public void left(String room, DocumentPeer peer) {
        }
    };

    /** {@code peer} announced (or renewed) its awareness state, the JSON text y-protocols carries. */
    void announced(String room, DocumentPeer peer, String awarenessState);

    /** {@code peer}'s connection closed. */
    void left(String room, DocumentPeer peer);
}
