package dev.tandem.transport.yjs;

import dev.tandem.auth.Authenticator;
import dev.tandem.auth.Identity;
import dev.tandem.config.TandemConfig;
import dev.tandem.docs.DocumentAccess;
import dev.tandem.docs.DocumentPeer;
import dev.tandem.docs.DocumentRooms;
import dev.tandem.docs.DocumentSession;
import dev.tandem.hub.ChannelName;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One y-websocket connection: authenticates the handshake (close 4401 / 4403, final for y-websocket
 * clients), joins the room named by the path, hands every binary message to it and leaves on close.
 *
 * <p>As a {@link DocumentPeer} it may be sent messages from any thread: a send joins the connection's outbox
 * (so order is kept whichever thread sends) and is counted in a byte budget; one task on the connection's event
 * loop writes everything the outbox holds and flushes once, so a busy document costs one task and one write
 * syscall per connection per pass, not per message. A connection whose unwritten bytes pass the budget is a
 * slow consumer and is closed with 4008 (y-websocket reconnects and resyncs). Nothing here blocks the event loop.
 */
final class YjsConnectionHandler extends SimpleChannelInboundHandler<WebSocketFrame> implements DocumentPeer {
    private static final Logger LOG = LoggerFactory.getLogger(YjsConnectionHandler.class);
    private static final int UNAUTHORIZED = 4401;
    private static final int FORBIDDEN = 4403;
    private static final int BAD_ROOM = 4400;
    private static final long FORCE_CLOSE_MILLIS = 1000;

    private final TandemConfig config;
    private final Authenticator authenticator;
    private final DocumentAccess access;
    private final DocumentRooms rooms;
    private final long maxQueuedBytes;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final Queue<byte[]> outbox = new ConcurrentLinkedQueue<>(); // bounded by the queuedBytes budget
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile Channel channel;
    private volatile boolean closing;
    private volatile String userId;
    private DocumentSession session;

    YjsConnectionHandler(TandemConfig config, Authenticator authenticator, DocumentAccess access, DocumentRooms rooms) {
        this.config = config;
        this.authenticator = authenticator;
        this.access = access;
        this.rooms = rooms;
        this.maxQueuedBytes = Math.max(config.limits().outboundQueueBytes(), 2L * config.documents().maxMessageBytes());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        channel = ctx.channel();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof HandshakeComplete handshake) {
            open(ctx, handshake);
        } else if (event instanceof IdleStateEvent idle) {
            onIdle(ctx, idle);
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    private void open(ChannelHandlerContext ctx, HandshakeComplete handshake) {
        long pingMillis = config.connection().pingInterval().toMillis();
        ctx.pipeline().addFirst("idle", new IdleStateHandler(pingMillis, 0, 0, TimeUnit.MILLISECONDS));
        QueryStringDecoder uri = new QueryStringDecoder(handshake.requestUri());
        String room = uri.path().substring(YjsWebSocketEndpoint.PREFIX.length());
        String channelName;
        try {
            channelName = ChannelName.validate("doc:" + room);
        } catch (ProtocolException e) {
            close(BAD_ROOM, "bad room name: " + e.getMessage());
            return;
        }
        Identity user;
        try {
            user = authenticator.requireIdentity(uri.parameters(), handshake.requestHeaders(),
                    String.valueOf(ctx.channel().remoteAddress()));
        } catch (ProtocolException e) {
            close(e.code() == ErrorCode.UNAUTHORIZED ? UNAUTHORIZED : FORBIDDEN, e.getMessage());
            return;
        }
        if (!access.mayEdit(user, channelName)) {
            close(FORBIDDEN, "not allowed to open " + channelName);
            return;
        }
        userId = user.userId();
        session = rooms.join(room, this);
    }

    @Override
    public String userId() {
        return userId;
    }

    /** The channel id is unique among this node's connections (and distinct from native session ids). */
    @Override
    public String connectionId() {
        return "yjs-" + channel.id().asShortText();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (session == null || closing) {
            return;
        }
        if (frame instanceof BinaryWebSocketFrame) {
            session.receive(ByteBufUtil.getBytes(frame.content()));
        } else {
            close(WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code(), "y-websocket messages are binary frames");
        }
    }

    @Override
    public void send(byte[] message) {
        Channel ch = channel;
        if (ch == null || closing) {
            return;
        }
        if (queuedBytes.addAndGet(message.length) > maxQueuedBytes) {
            close(CloseCode.POLICY.code(), "slow consumer: more than " + maxQueuedBytes + " bytes unsent");
            return;
        }
        outbox.add(message);
        if (drainScheduled.compareAndSet(false, true)) {
            ch.eventLoop().execute(() -> drain(ch));
        }
    }

    /**
     * On the event loop: writes every queued message and flushes once. Writes complete in order, so the last
     * one's completion releases the budget of all of them.
     */
    private void drain(Channel ch) {
        drainScheduled.set(false);
        byte[] message = outbox.poll();
        long bytes = 0;
        while (message != null) {
            bytes += message.length;
            byte[] next = outbox.poll();
            BinaryWebSocketFrame frame = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(message));
            if (next == null) {
                long written = bytes;
                ch.write(frame).addListener(f -> queuedBytes.addAndGet(-written));
            } else {
                ch.write(frame, ch.voidPromise());
            }
            message = next;
        }
        ch.flush();
    }

    @Override
    public void close(int code, String reason) {
        Channel ch = channel;
        if (ch == null || closing) {
            return;
        }
        closing = true;
        ch.eventLoop().execute(() -> writeClose(ch, code, reason));
    }

    /**
     * Closes from the event loop at once: Netty's protocol handler closes the channel right after it reports a
     * framing error, so the close frame must be written before this returns.
     */
    private void closeNow(Channel ch, int code, String reason) {
        closing = true;
        writeClose(ch, code, reason);
    }

    private static void writeClose(Channel ch, int code, String reason) {
        if (!ch.isActive()) {
            return;
        }
        ch.writeAndFlush(new CloseWebSocketFrame(code, reason.length() > 120 ? reason.substring(0, 120) : reason))
                .addListener(ChannelFutureListener.CLOSE);
        ch.eventLoop().schedule(() -> {
            ch.close();
        }, FORCE_CLOSE_MILLIS, TimeUnit.MILLISECONDS);
    }

    private void onIdle(ChannelHandlerContext ctx, IdleStateEvent idle) {
        if (session == null) {
            ctx.close();
        } else if (idle.isFirst()) {
            ctx.writeAndFlush(new PingWebSocketFrame());
        } else {
            close(CloseCode.POLICY.code(), "ping timeout");
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (session != null) {
            session.leave();
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException
                || (cause instanceof CorruptedWebSocketFrameException c && c.closeStatus() == WebSocketCloseStatus.MESSAGE_TOO_BIG)) {
            closeNow(ctx.channel(), CloseCode.TOO_LARGE.code(),
                    "message larger than " + config.documents().maxMessageBytes() + " bytes");
        } else if (cause instanceof CorruptedFrameException) {
            closeNow(ctx.channel(), CloseCode.POLICY.code(), "WebSocket protocol violation");
        } else if (cause instanceof IOException) {
            LOG.debug("y-websocket connection I/O error: {}", cause.toString());
            ctx.close();
        } else {
            LOG.error("y-websocket connection failed", cause);
            ctx.close();
        }
    }
}
