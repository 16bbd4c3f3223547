package dev.tandem.transport.ws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.TandemVersion;
import dev.tandem.config.TandemConfig;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.CommandRouter;
import dev.tandem.session.Session;
import dev.tandem.session.SessionRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One native-protocol WebSocket connection: opens the session when the handshake completes and answers
 * {@code connected} first; parses each text frame and hands it to the {@link CommandRouter}; keeps the
 * connection alive with pings and closes it when the peer goes silent; maps framing violations to close codes.
 * Client mistakes are answered, never logged with a stack trace.
 */
final class NativeWebSocketHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger LOG = LoggerFactory.getLogger(NativeWebSocketHandler.class);
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");

    private final TandemConfig config;
    private final SessionRegistry sessions;
    private final CommandRouter commands;
    private final TandemMetrics metrics;
    private Session session;

    NativeWebSocketHandler(TandemConfig config, SessionRegistry sessions, CommandRouter commands, TandemMetrics metrics) {
        this.config = config;
        this.sessions = sessions;
        this.commands = commands;
        this.metrics = metrics;
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
        ctx.pipeline().addFirst("idle", new IdleStateHandler(2 * pingMillis, 0, pingMillis, TimeUnit.MILLISECONDS));
        String user = new QueryStringDecoder(handshake.requestUri()).parameters()
                .getOrDefault("user", List.of()).stream().findFirst().orElse(null);
        String userId = anonymousIdentity(user);
        WebSocketSessionTransport transport = new WebSocketSessionTransport(ctx.channel());
        if (userId == null) {
            byte[] refusal = FrameCodec.encode(FrameCodec.disconnect(CloseCode.UNAUTHORIZED, "authentication required"));
            transport.close(CloseCode.UNAUTHORIZED, Unpooled.wrappedBuffer(refusal));
            return;
        }
        session = sessions.open(userId, transport);
        session.send(connected(null));
    }

    /** The identity of a connection without a token: {@code ?user=} in dev mode, otherwise anon-…; null if refused. */
    private String anonymousIdentity(String requested) {
        if (!config.auth().anonymous()) {
            return null;
        }
        if (requested != null && config.dev() && USER_NAME.matcher(requested).matches()) {
            return requested;
        }
        return SessionRegistry.anonymousUserId();
    }

    private ObjectNode connected(JsonNode requestId) {
        ObjectNode frame = FrameCodec.envelope("connected", requestId, null);
        frame.putObject("payload")
                .put("connectionId", session.id())
                .put("userId", session.userId())
                .put("pingInterval", config.connection().pingInterval().toMillis())
                .put("serverVersion", TandemVersion.VERSION);
        return frame;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (session == null) {
            return;
        }
        metrics.framesIn().increment();
        if (frame instanceof TextWebSocketFrame text) {
            handleText(text.text());
        } else if (frame instanceof BinaryWebSocketFrame) {
            session.sendError(null, ErrorCode.BAD_REQUEST, "binary frames are not accepted on /ws; send JSON text frames");
        }
    }

    private void handleText(String text) {
        try {
            var inbound = FrameCodec.parse(text);
            if ("connect".equals(inbound.type())) {
                session.send(connected(inbound.requestId()));
                return;
            }
            commands.dispatch(session, inbound);
        } catch (ProtocolException e) {
            session.sendError(null, e.code(), e.getMessage());
        }
    }

    private void onIdle(ChannelHandlerContext ctx, IdleStateEvent idle) {
        if (session == null) {
            ctx.close();
        } else if (idle.state() == IdleState.READER_IDLE) {
            session.disconnect(CloseCode.POLICY, "ping timeout: nothing received for "
                    + 2 * config.connection().pingInterval().toMillis() + " ms");
        } else if (idle.state() == IdleState.ALL_IDLE) {
            ctx.writeAndFlush(new PingWebSocketFrame());
        }
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
            session.disconnect(CloseCode.TOO_LARGE, "frame larger than " + config.limits().maxFrameBytes() + " bytes");
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

    private static boolean tooLarge(Throwable cause) {
        return cause instanceof TooLongFrameException
                || (cause instanceof CorruptedWebSocketFrameException c && c.closeStatus() == WebSocketCloseStatus.MESSAGE_TOO_BIG);
    }
}
