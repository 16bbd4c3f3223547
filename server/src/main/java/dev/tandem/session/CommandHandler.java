package dev.tandem.session;

import dev.tandem.protocol.InboundFrame;

/**
 * Handles one command type of the native protocol for a session. Runs on the session's event loop; throws
 * {@link dev.tandem.protocol.ProtocolException} for client mistakes, which the router turns into an
 * {@code error} frame carrying the command's {@code requestId}.
 */
@FunctionalInterface
public interface CommandHandler {
    void handle(Session session, InboundFrame frame);
}
