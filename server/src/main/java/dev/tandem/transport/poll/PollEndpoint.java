package dev.tandem.transport.poll;

import dev.tandem.auth.Identity;
import dev.tandem.config.TransportsConfig;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.Session;
import dev.tandem.session.SessionRegistry;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.StreamingEndpoint;
import dev.tandem.transport.oneway.Cursor;
import dev.tandem.transport.oneway.OneWaySessions;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;

/**
 * {@code GET /poll?cursor=…&wait=MS}: long polling, and short polling with {@code wait=0}. The first poll (no
 * cursor) opens a session and returns {@code connected}; each later poll passes the cursor of the previous
 * response. A cursor whose session is open here continues it (see {@link PollTransport} for the exactly-once
 * hand-over); a cursor whose session is gone (expired, closed, or opened on another node) opens a new
 * session that resumes every subscription it names with recovery, so no poll depends on a sticky node.
 */
public final class PollEndpoint implements StreamingEndpoint {
    public static final String PATH = "/poll";

    private final OneWaySessions sessions;
    private final SessionRegistry registry;
    private final TransportsConfig config;

    public PollEndpoint(OneWaySessions sessions, SessionRegistry registry) {
        this.sessions = sessions;
        this.registry = registry;
        this.config = sessions.config().transports();
    }

    @Override
    public void open(ChannelHandlerContext ctx, HttpExchange exchange) {
        Identity user = sessions.authenticate(exchange);
        Cursor cursor = sessions.cursorOf(exchange);
        long waitMillis = waitMillis(exchange.param("wait"));
        boolean keepAlive = !exchange.headers().containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE, true);
        Session existing = cursor == null ? null : sessions.find(cursor.sessionId(), user);
        if (existing != null && existing.transport() instanceof PollTransport transport) {
            transport.eventLoop().execute(() -> continueOrResume(ctx, keepAlive, user, cursor, waitMillis, existing, transport));
        } else {
            sessions.admit();
            openSession(ctx, keepAlive, user, cursor, waitMillis);
        }
    }

    private void continueOrResume(ChannelHandlerContext ctx, boolean keepAlive, Identity user, Cursor cursor,
                                  long waitMillis, Session existing, PollTransport transport) {
        if (!transport.isClosed() && transport.accepts(cursor)) {
            transport.poll(ctx, keepAlive, cursor, waitMillis);
            return;
        }
        if (!transport.isClosed()) {
            existing.disconnect(CloseCode.NORMAL, "poll cursor out of step; resumed in a new session");
        }
        ctx.executor().execute(() -> openSession(ctx, keepAlive, user, cursor, waitMillis));
    }

    private void openSession(ChannelHandlerContext ctx, boolean keepAlive, Identity user, Cursor cursor,
                             long waitMillis) {
        PollTransport transport = new PollTransport(ctx.channel().eventLoop(), registry, config.pollSessionTimeout(),
                String.valueOf(ctx.channel().remoteAddress()));
        sessions.open(user, transport, cursor);
        transport.attach(ctx, keepAlive, waitMillis);
    }

    private long waitMillis(String text) {
        long max = config.pollMaxWait().toMillis();
        if (text == null || text.isEmpty()) {
            return max;
        }
        try {
            long wait = Long.parseLong(text);
            if (wait >= 0 && wait <= max) {
                return wait;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ProtocolException.badRequest("'wait' must be milliseconds from 0 to " + max + ", got '" + text + "'");
    }
}
