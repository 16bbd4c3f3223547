package dev.tandem.session;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers a command whose work finished off the event loop (a store read or commit) and failed: a
 * {@link ProtocolException} becomes its {@code error} frame, anything else a logged {@code internal} error,
 * the same mapping {@link CommandRouter} applies to synchronous handlers.
 */
public final class AsyncReplies {
    private static final Logger LOG = LoggerFactory.getLogger(AsyncReplies.class);

    private AsyncReplies() {
    }

    public static void fail(Session session, JsonNode requestId, Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof ProtocolException e) {
            session.sendError(requestId, e.code(), e.getMessage(), e.details());
            return;
        }
        LOG.error("command failed on session {}", session.id(), cause);
        session.sendError(requestId, ErrorCode.INTERNAL, "internal error");
    }

    /** The failure inside a {@link CompletionException}. */
    public static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
