package dev.tandem.docs;

/**
 * One connection's membership of a room: what a transport calls when a message arrives and when the
 * connection closes.
 */
public final class DocumentSession {
    private final DocumentRoom room;
    private final DocumentPeer peer;

    DocumentSession(DocumentRoom room, DocumentPeer peer) {
        this.room = room;
        this.peer = peer;
    }

    public String room() {
        return room.name();
    }

    public void receive(byte[] message) {
        room.receive(peer, message);
    }

    public void leave() {
        room.leave(peer);
    }
}
