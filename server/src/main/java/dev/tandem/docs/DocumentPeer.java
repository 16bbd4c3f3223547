package dev.tandem.docs;

/**
 * One connection to a document room, as the room sees it: it can be sent a y-protocols message and closed.
 * Implementations never block and keep messages in the order {@link #send} was called.
 */
public interface DocumentPeer {
    /** Queues one binary message; a peer that cannot keep up closes itself (slow consumer). */
    void send(byte[] message);

    /** Closes the connection with a WebSocket close code. */
    void close(int code, String reason);

    /** Who is editing through this connection (the authenticated user id). */
    String userId();

    /** This connection's id, unique on this node (its presence entry's connection id). */
    String connectionId();
}
