package dev.tandem.transport.poll;

import dev.tandem.protocol.CloseCode;
import dev.tandem.session.Session;
import dev.tandem.session.SessionRegistry;
import dev.tandem.transport.oneway.Cursor;
import dev.tandem.transport.oneway.CursorTracker;
import dev.tandem.transport.oneway.ResumableTransport;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GenericFutureListener;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A polling session's transport: writable only while a poll is waiting, when queued frames become that poll's
 * response ({@code {"frames": [...], "cursor": "..."}}). Between polls frames stay in the session's bounded
 * outbound queue; a session with no poll for {@code transports.pollSessionTimeout} expires.
 *
 * <p>Design: exactly-once hand-over. Every non-empty response is a numbered batch, and its cursor carries that
 * number. The response is kept until the next poll: a cursor with the same number acknowledges it (released);
 * a cursor one behind means the response never arrived, and it is sent again byte for byte; anything else
 * is an inconsistency that the endpoint resolves by resuming a fresh session from the cursor's positions.
 * A second poll while one waits supersedes it: the first is answered empty (nothing is dequeued for it).
 * Event loop only; the polls' own connections may live on other loops (Netty hands the writes over).
 */
final class PollTransport implements ResumableTransport {
    private static final byte[] OPEN = "{\"frames\":[".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COMMA = {','};

    private final EventLoop loop;
    private final SessionRegistry registry;
    private final long idleTimeoutMillis;
    private final CursorTracker tracker = new CursorTracker();
    private final List<ByteBuf> batch = new ArrayList<>();
    private Session session;
    private String remoteAddress;
    private Waiting waiting;
    private ScheduledFuture<?> expiry;
    private long batchNumber;
    private ByteBuf unacknowledged;
    private boolean closed;

    /** A poll waiting for frames. */
    private record Waiting(ChannelHandlerContext ctx, boolean keepAlive, ScheduledFuture<?> timeout,
                           GenericFutureListener<Future<? super Void>> onClose) {
    }

    PollTransport(EventLoop loop, SessionRegistry registry, Duration idleTimeout, String remoteAddress) {
        this.loop = loop;
        this.registry = registry;
        this.idleTimeoutMillis = idleTimeout.toMillis();
        this.remoteAddress = remoteAddress;
    }

    @Override
    public CursorTracker tracker() {
        return tracker;
    }

    @Override
    public void bind(Session session) {
        this.session = session;
    }

    @Override
    public EventLoop eventLoop() {
        return loop;
    }

    @Override
    public String name() {
        return "poll";
    }

    @Override
    public String remoteAddress() {
        return remoteAddress;
    }

    boolean isClosed() {
        return closed;
    }

    /**
     * Whether {@code cursor} (given by the client) fits this session's hand-over state; if it acknowledges the
     * last batch, that batch is released.
     */
    boolean accepts(Cursor cursor) {
        if (cursor.counter() == batchNumber) {
            release();
            return true;
        }
        return cursor.counter() == batchNumber - 1 && unacknowledged != null;
    }

    /** Serves one poll whose cursor {@link #accepts} this session: resends, or waits up to {@code waitMillis}. */
    void poll(ChannelHandlerContext ctx, boolean keepAlive, Cursor cursor, long waitMillis) {
        if (cursor != null && cursor.counter() == batchNumber - 1 && unacknowledged != null) {
            send(ctx, keepAlive, unacknowledged.retainedDuplicate());
            return;
        }
        attach(ctx, keepAlive, waitMillis);
    }

    /** Makes {@code ctx} the waiting poll; queued frames (if any) are flushed into it by the session's writer. */
    void attach(ChannelHandlerContext ctx, boolean keepAlive, long waitMillis) {
        if (waiting != null) {
            respond(List.of());
        }
        cancel(expiry);
        remoteAddress = String.valueOf(ctx.channel().remoteAddress());
        Runnable giveUp = () -> {
            if (waiting != null && waiting.ctx() == ctx) {
                respond(List.of());
            }
        };
        ScheduledFuture<?> timeout = loop.schedule(giveUp, waitMillis, TimeUnit.MILLISECONDS);
        GenericFutureListener<Future<? super Void>> onClose = f -> loop.execute(() -> abandoned(ctx));
        waiting = new Waiting(ctx, keepAlive, timeout, onClose);
        ctx.channel().closeFuture().addListener(onClose);
        session.onWritable();
    }

    private void abandoned(ChannelHandlerContext ctx) {
        if (waiting != null && waiting.ctx() == ctx) {
            cancel(waiting.timeout());
            waiting = null;
            startExpiry();
        }
    }

    @Override
    public boolean isWritable() {
        return waiting != null;
    }

    @Override
    public void write(ByteBuf frame) {
        tracker.observe(frame);
        batch.add(frame);
    }

    @Override
    public void flush() {
        if (waiting != null && !batch.isEmpty()) {
            List<ByteBuf> frames = new ArrayList<>(batch);
            batch.clear();
            respond(frames);
        }
    }

    /** Answers the waiting poll with {@code frames} (numbering a non-empty batch) and detaches it. */
    private void respond(List<ByteBuf> frames) {
        Waiting poll = waiting;
        waiting = null;
        cancel(poll.timeout());
        poll.ctx().channel().closeFuture().removeListener(poll.onClose());
        if (!frames.isEmpty()) {
            release();
            batchNumber++;
        }
        ByteBuf body = body(frames, poll.ctx());
        if (!frames.isEmpty()) {
            unacknowledged = body.retainedDuplicate();
        }
        send(poll.ctx(), poll.keepAlive(), body);
        if (!closed) {
            startExpiry();
        }
    }

    private ByteBuf body(List<ByteBuf> frames, ChannelHandlerContext ctx) {
        CompositeByteBuf body = ctx.alloc().compositeBuffer(frames.size() * 2 + 2);
        body.addComponent(true, Unpooled.wrappedBuffer(OPEN));
        for (int i = 0; i < frames.size(); i++) {
            if (i > 0) {
                body.addComponent(true, Unpooled.wrappedBuffer(COMMA));
            }
            body.addComponent(true, frames.get(i));
        }
        String tail = "],\"cursor\":\"" + tracker.cursor(session.id(), batchNumber) + "\"}";
        body.addComponent(true, Unpooled.wrappedBuffer(tail.getBytes(StandardCharsets.US_ASCII)));
        return body;
    }

    private static void send(ChannelHandlerContext ctx, boolean keepAlive, ByteBuf body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        if (keepAlive) {
            HttpUtil.setKeepAlive(response, true);
            ctx.writeAndFlush(response);
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void startExpiry() {
        cancel(expiry);
        expiry = loop.schedule(() -> {
            if (waiting == null && !closed) {
                session.disconnect(CloseCode.POLICY, "session expired: no poll for " + idleTimeoutMillis + " ms");
            }
        }, idleTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close(CloseCode code, ByteBuf disconnectFrame) {
        if (closed) {
            disconnectFrame.release();
            return;
        }
        closed = true;
        cancel(expiry);
        if (waiting != null) {
            write(disconnectFrame);
            List<ByteBuf> frames = new ArrayList<>(batch);
            batch.clear();
            respond(frames);
        } else {
            disconnectFrame.release();
        }
        batch.forEach(ByteBuf::release);
        batch.clear();
        release();
        registry.closed(session);
    }

    private void release() {
        if (unacknowledged != null) {
            unacknowledged.release();
            unacknowledged = null;
        }
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }
}
