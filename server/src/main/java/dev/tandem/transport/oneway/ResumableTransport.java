package dev.tandem.transport.oneway;

import dev.tandem.session.Session;
import dev.tandem.session.SessionTransport;

/**
 * A session transport that hands out resume tokens ({@link Cursor}s): SSE, HTTP streaming and polling. It
 * learns its session once the registry has opened it, and keeps a {@link CursorTracker} of what it delivered.
 */
public interface ResumableTransport extends SessionTransport {
    CursorTracker tracker();

    /** Called once, on the event loop, right after the registry opened the session. */
    void bind(Session session);
}
