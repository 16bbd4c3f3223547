package dev.tandem.client;

/** Told each status change with a reason (the server's disconnect reason, a transport error, ...). */
@FunctionalInterface
public interface StatusListener {
    void onStatus(ConnectionStatus status, String reason);
}
