package dev.tandem.transport.oneway;

import dev.tandem.auth.Identity;
import dev.tandem.config.TransportsConfig;
import dev.tandem.session.Session;
import dev.tandem.session.SessionRegistry;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.StreamingEndpoint;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /sse} and {@code GET /stream}: one long chunked response per session. Authenticates like a
 * WebSocket handshake, resumes from the request's cursor ({@code Last-Event-ID} or {@code ?cursor=}), sends
 * headers that stop proxies from buffering, then lets the session write frames as chunks, with a keep-alive
 * every {@code transports.keepAliveInterval}. The session ends when the response's connection does.
 */
public final class ChunkedStreamEndpoint implements StreamingEndpoint {
    private final StreamFormat format;
    private final OneWaySessions sessions;
    private final SessionRegistry registry;
    private final TransportsConfig config;

    public ChunkedStreamEndpoint(StreamFormat format, OneWaySessions sessions, SessionRegistry registry) {
        this.format = format;
        this.sessions = sessions;
        this.registry = registry;
        this.config = sessions.config().transports();
    }

    @Override
    public void open(ChannelHandlerContext ctx, HttpExchange exchange) {
        Identity user = sessions.authenticate(exchange);
        Cursor cursor = sessions.cursorOf(exchange);
        sessions.admit();

        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, format.contentType())
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set("X-Accel-Buffering", "no")
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.write(response, ctx.voidPromise());
        ByteBuf preamble = format.preamble(ctx.alloc());
        if (preamble != null) {
            ctx.write(new DefaultHttpContent(preamble), ctx.voidPromise());
        }
        ctx.flush();

        ChunkedSessionTransport transport = new ChunkedSessionTransport(ctx.channel(), format);
        Session session = sessions.open(user, transport, cursor);
        ctx.pipeline().addLast(new WritabilityRelay(session));
        long interval = config.keepAliveInterval().toMillis();
        ScheduledFuture<?> keepAlive = ctx.executor().scheduleAtFixedRate(transport::keepAlive, interval, interval,
                TimeUnit.MILLISECONDS);
        ctx.channel().closeFuture().addListener(f -> {
            keepAlive.cancel(false);
            registry.closed(session);
        });
    }

    /** Tells the session when the socket can take more after a slow patch. */
    private static final class WritabilityRelay extends ChannelInboundHandlerAdapter {
        private final Session session;

        WritabilityRelay(Session session) {
            this.session = session;
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
            if (ctx.channel().isWritable()) {
                session.onWritable();
            }
            super.channelWritabilityChanged(ctx);
        }
    }
}
