package dev.tandem.client;

/** Where a {@link TandemClient} is in its life; listeners see every change. */
public enum ConnectionStatus {
    /** Built, {@code connect()} not called yet. */
    NEW,
    /** Opening a WebSocket and waiting for {@code connected}. */
    CONNECTING,
    /** {@code connected} received; subscriptions are (re)established. */
    CONNECTED,
    /** The connection dropped; a reconnect is scheduled after a backoff delay. */
    RECONNECTING,
    /** Terminal: closed by the application, or the server said not to reconnect. */
    CLOSED
}
