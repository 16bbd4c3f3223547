package dev.tandem.transport.ws;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.auth.Authenticator;
import dev.tandem.auth.Identity;
import dev.tandem.config.TandemConfig;
import dev.tandem.limits.NodeLoad;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.CommandRouter;
import dev.tandem.session.Session;
import dev.tandem.session.SessionRegistry;
import dev.tandem.transport.ReadIdleWatch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One native-protocol WebSocket connection: opens the session when the handshake completes and answers
 * {@code connected} first; joins fragmented messages ({@link FragmentedMessage}), checks that text is UTF-8,
 * parses each message and hands it to the {@link CommandRouter}; keeps the connection alive with pings and closes
 * it when the peer goes silent; maps framing violations to close codes.
 * Client mistakes are answered, never logged with a stack trace.
 */
final class NativeWebSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame>
        implements ReadIdleWatch.Watched {
    private static final Logger LOG = LoggerFactory.getLogger(NativeWebSocketHandler.class);

    private final TandemConfig config;
    private final Authenticator authenticator;
    private final SessionRegistry sessions;
    private final CommandRouter commands;
    private final TandemMetrics metrics;
    private final ReadIdleWatch idleWatch;
    private Session session;
    private ChannelHandlerContext ctx;
    /** When the connection last read anything, pongs and protocol frames included (nanoTime). */
    private long lastReadNanos;
    private boolean pinged;
    /** The message being joined from fragments; null between messages (nearly always). */
    private FragmentedMessage fragmented;

    NativeWebSocketHandler(TandemConfig config, Authenticator authenticator, SessionRegistry sessions,
                           CommandRouter commands, TandemMetrics metrics, ReadIdleWatch idleWatch) {
        this.config = config;
        this.authenticator = authenticator;
        this.sessions = sessions;
        this.commands = commands;
        this.metrics = metrics;
        this.idleWatch = idleWatch;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof HandshakeComplete handshake) {
            open(ctx, handshake);
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    private void open(ChannelHandlerContext ctx, HandshakeComplete handshake) {
        this.ctx = ctx;
        WebSocketTransport.forgetHandshaker(ctx.channel());
        lastReadNanos = System.nanoTime();
        idleWatch.watch(ctx.channel().eventLoop(), this);
        WebSocketSessionTransport transport = new WebSocketSessionTransport(ctx.channel());
        if (sessions.atCapacity()) {
            metrics.refusedConnections().increment();
            refuse(transport, CloseCode.TRY_AGAIN_LATER, FrameCodec.disconnect(CloseCode.TRY_AGAIN_LATER,
                    "server at capacity, retry later", NodeLoad.CONNECTION_RETRY_AFTER));
            return;
        }
        Optional<Identity> identity;
        try {
            identity = authenticator.authenticate(new QueryStringDecoder(handshake.requestUri()).parameters(),
                    handshake.requestHeaders(), transport.remoteAddress());
        } catch (ProtocolException e) {
            CloseCode code = switch (e.code()) {
                case UNAUTHORIZED -> CloseCode.UNAUTHORIZED;
                case RATE_LIMITED -> CloseCode.RATE_LIMITED;
                default -> CloseCode.FORBIDDEN;
            };
            refuse(transport, code, e.getMessage());
            return;
        }
        session = identity.map(who -> sessions.open(who, transport)).orElseGet(() -> sessions.openAwaitingConnect(transport));
    }

    private static void refuse(WebSocketSessionTransport transport, CloseCode code, String reason) {
        refuse(transport, code, FrameCodec.disconnect(code, reason));
    }

    private static void refuse(WebSocketSessionTransport transport, CloseCode code, ObjectNode disconnect) {
        transport.close(code, Unpooled.wrappedBuffer(FrameCodec.encode(disconnect)));
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (frame instanceof CloseWebSocketFrame close) {
            WebSocketTransport.answerClose(ctx.channel(), close);
            return;
        }
        if (session == null) {
            return;
        }
        if (frame instanceof ContinuationWebSocketFrame || !frame.isFinalFragment()) {
            assemble(frame);
        } else if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
            onMessage(frame instanceof TextWebSocketFrame, frame.content());
        }
    }

    /** Joins a fragmented message and handles it at its last fragment (see {@link FragmentedMessage}). */
    private void assemble(WebSocketFrame fragment) {
        if (fragmented == null) {
            fragmented = new FragmentedMessage(ctx.alloc(), fragment);
        }
        if (!fragmented.add(fragment, config.limits().maxFrameBytes())) {
            dropFragments();
            disconnectTooLarge();
            return;
        }
        if (!fragment.isFinalFragment()) {
            return;
        }
        FragmentedMessage whole = fragmented;
        fragmented = null;
        try {
            onMessage(whole.text(), whole.content());
        } finally {
            whole.release();
        }
    }

    /**
     * One whole message. Text must be UTF-8 (RFC 6455; the decoder here does not check it, see
     * {@code WebSocketEndpoint.Framing.ENDPOINT}): anything else is a protocol violation that closes the
     * connection, as Netty's validator did.
     */
    private void onMessage(boolean text, ByteBuf content) {
        metrics.framesIn().increment();
        if (!text) {
            session.sendError(null, ErrorCode.BAD_REQUEST, "binary frames are not accepted on /ws; send JSON text frames");
            return;
        }
        if (!ByteBufUtil.isText(content, StandardCharsets.UTF_8)) {
            session.disconnect(CloseCode.POLICY, "WebSocket protocol violation: a text message that is not UTF-8");
            return;
        }
        try {
            commands.dispatch(session, FrameCodec.parse(content.toString(StandardCharsets.UTF_8)));
        } catch (ProtocolException e) {
            session.sendError(null, e);
        }
    }

    private void dropFragments() {
        if (fragmented != null) {
            fragmented.release();
            fragmented = null;
        }
    }

    /**
     * Every read batch passes here whatever it held (pongs never reach {@link #channelRead0}: the protocol
     * handler drops them), so this is where the connection counts as alive.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        lastReadNanos = System.nanoTime();
        pinged = false;
        super.channelReadComplete(ctx);
    }

    /** One silent ping interval sends a ping; a second one closes the connection. */
    @Override
    public boolean checkIdle(long nowNanos) {
        if (!ctx.channel().isActive()) {
            return false;
        }
        long pingNanos = config.connection().pingInterval().toNanos();
        long silent = nowNanos - lastReadNanos;
        if (silent < pingNanos - pingLeadNanos(pingNanos)) {
            return true;
        }
        if (session == null) {
            ctx.close();
            return false;
        }
        if (silent >= 2 * pingNanos) {
            session.disconnect(CloseCode.POLICY, "ping timeout: nothing received for "
                    + 2 * config.connection().pingInterval().toMillis() + " ms");
            return false;
        }
        if (!pinged) {
            pinged = true;
            ctx.writeAndFlush(new PingWebSocketFrame());
        }
        return true;
    }

    /**
     * How much sooner than the ping interval this connection is pinged: a share of up to a quarter of the interval,
     * fixed per connection (from its identity hash, so it costs no field). Connections opened together (a ramp,
     * clients coming back after a restart) would otherwise be pinged in the same sweep every interval and answer at
     * once, a write and a read per connection in one loop pass ahead of any publication due then; spread over a
     * quarter of the interval they come a few per sweep.
     */
    private long pingLeadNanos(long pingNanos) {
        long share = System.identityHashCode(this) & 0xFFFF;
        return (pingNanos / 4) * share >>> 16;
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        if (session != null && ctx.channel().isWritable()) {
            session.onWritable();
        }
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        dropFragments();
        if (session != null) {
            sessions.closed(session);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (session == null) {
            ctx.close();
            return;
        }
        if (tooLarge(cause)) {
            disconnectTooLarge();
        } else if (cause instanceof CorruptedFrameException) {
            session.disconnect(CloseCode.POLICY, "WebSocket protocol violation: " + cause.getMessage());
        } else if (cause instanceof IOException) {
            LOG.debug("connection {} I/O error: {}", session.id(), cause.toString());
            ctx.close();
        } else {
            LOG.error("connection {} failed", session.id(), cause);
            session.disconnect(CloseCode.POLICY, "internal error");
        }
    }

    /** A frame, or a message joined from fragments, over {@code limits.maxFrameBytes}: close 1009. */
    private void disconnectTooLarge() {
        session.disconnect(CloseCode.TOO_LARGE, "frame larger than " + config.limits().maxFrameBytes() + " bytes");
    }

    private static boolean tooLarge(Throwable cause) {
        return cause instanceof TooLongFrameException
                || (cause instanceof CorruptedWebSocketFrameException c && c.closeStatus() == WebSocketCloseStatus.MESSAGE_TOO_BIG);
    }
}
