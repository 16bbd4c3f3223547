package dev.tandem.transport.stomp;

import dev.tandem.TandemVersion;
import dev.tandem.auth.Authenticator;
import dev.tandem.auth.ChannelAccess;
import dev.tandem.auth.Identity;
import dev.tandem.config.TandemConfig;
import dev.tandem.hub.Delivery;
import dev.tandem.hub.Hub;
import dev.tandem.limits.CommandBudget;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.protocol.CloseCode;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.AsyncReplies;
import dev.tandem.session.Session;
import dev.tandem.session.SessionRegistry;
import dev.tandem.transport.ws.WebSocketTransport;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One STOMP WebSocket connection: feeds every inbound message to its {@link StompParser}; answers the first
 * frame, which must be {@code CONNECT} or {@code STOMP}, by authenticating (the one call to
 * {@link Authenticator#authenticate}, with the upgrade's query and headers overlaid by the frame's headers),
 * negotiating version and heart-beats and sending {@code CONNECTED}; hands later frames to its
 * {@link StompConnection}. Heart-beats: the server sends a bare newline when it has written nothing for the
 * negotiated interval, and closes a client silent for twice its interval (a client without heart-beats is
 * kept honest by WebSocket pings instead). Any protocol error is answered with {@code ERROR} and a close;
 * client mistakes are never logged with a stack trace.
 */
final class StompHandler extends SimpleChannelInboundHandler<WebSocketFrame> {
    private static final Logger LOG = LoggerFactory.getLogger(StompHandler.class);
    private static final List<String> VERSIONS = List.of("1.2", "1.1", "1.0");
    private static final byte[] HEART_BEAT = {'\n'};

    private final TandemConfig config;
    private final Authenticator authenticator;
    private final ChannelAccess access;
    private final SessionRegistry sessions;
    private final Hub hub;
    private final TandemMetrics metrics;
    private final StompQueueGroup.Registry queues;
    private final StompApplication app;
    private final StompParser parser;
    private HandshakeComplete handshake;
    private StompSessionTransport transport;
    private Session session;
    private StompConnection connection;
    private boolean failed;
    private boolean sendHeartBeats;
    private boolean sendPings;

    StompHandler(TandemConfig config, Authenticator authenticator, ChannelAccess access, SessionRegistry sessions, Hub hub,
                 StompQueueGroup.Registry queues, StompApplication app, TandemMetrics metrics) {
        this.app = app;
        this.config = config;
        this.authenticator = authenticator;
        this.access = access;
        this.sessions = sessions;
        this.hub = hub;
        this.metrics = metrics;
        this.queues = queues;
        this.parser = new StompParser(config.limits().maxFrameBytes());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof HandshakeComplete complete) {
            handshake = complete;
            transport = new StompSessionTransport(ctx.channel());
            long connectTimeout = 2 * config.connection().pingInterval().toMillis();
            ctx.pipeline().addFirst("idle", new IdleStateHandler(connectTimeout, 0, 0, TimeUnit.MILLISECONDS));
        } else if (event instanceof IdleStateEvent idle) {
            onIdle(ctx, idle);
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
        if (handshake == null || failed) {
            return;
        }
        if (!(frame instanceof TextWebSocketFrame) && !(frame instanceof BinaryWebSocketFrame)) {
            return;
        }
        metrics.framesIn().increment();
        byte[] bytes = ByteBufUtil.getBytes(frame.content());
        StompFrame[] current = new StompFrame[1];
        try {
            parser.feed(bytes, parsed -> {
                current[0] = parsed;
                onFrame(ctx, parsed);
            });
        } catch (ProtocolException e) {
            fail(ctx, e, current[0] == null ? null : current[0].header("receipt"));
        }
    }

    private void onFrame(ChannelHandlerContext ctx, StompFrame frame) {
        if (failed) {
            return;
        }
        if (connection == null) {
            connect(ctx, frame);
            return;
        }
        checkBudget();
        connection.handle(frame);
    }

    /**
     * Every frame after {@code CONNECT} draws on the connection's command budget, as a native command does. STOMP
     * cannot refuse one frame without {@code ERROR}, which ends the connection, so a frame over the rate still
     * runs; a client that keeps going over ({@code limits.floodDisconnectAfter} frames within 10 s) is flooding
     * and gets {@code ERROR rate_limited} and close 4029, as a native one does. Heart-beats are not frames.
     */
    private void checkBudget() {
        if (session.commandBudget().take() == CommandBudget.Verdict.FLOODING) {
            LOG.warn("closing flooding connection id={} user={} remote={}", session.id(), session.userId(),
                    transport.remoteAddress());
            metrics.refused("flooding");
            throw new ProtocolException(ErrorCode.RATE_LIMITED, "too many frames: flooding");
        }
    }

    private void connect(ChannelHandlerContext ctx, StompFrame frame) {
        if (!frame.command().equals("CONNECT") && !frame.command().equals("STOMP")) {
            throw ProtocolException.badRequest("the first frame must be CONNECT or STOMP, not "
                    + StompHeaders.printable(frame.command()));
        }
        String version = version(frame.header("accept-version"));
        HeartBeat client = HeartBeat.parse(frame.header("heart-beat"));
        Identity identity = authenticator.requireIdentity(new QueryStringDecoder(handshake.requestUri()).parameters(),
                headers(frame), transport.remoteAddress());
        session = sessions.register(identity, transport);
        if (!session.isIdentified()) {
            return;
        }
        String userId = identity.userId();
        connection = new StompConnection(session, hub, config.limits(), queues, access, app,
                (error, receiptId) -> failLater(ctx, error, receiptId));
        long ping = config.connection().pingInterval().toMillis();
        HeartBeat server = new HeartBeat(ping, ping);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("version", version);
        headers.put("heart-beat", server.header());
        headers.put("server", "Tandem/" + TandemVersion.VERSION);
        headers.put("session", session.id());
        headers.put("user-name", userId);
        session.send(Unpooled.wrappedBuffer(StompEncoder.encode(StompFrame.of("CONNECTED", headers))), Delivery.CONTROL);
        keepAlive(ctx, server.serverToClient(client), server.clientToServer(client), ping);
    }

    /**
     * The upgrade request's headers, with the CONNECT frame's headers (login, passcode, Authorization) on top;
     * a {@code passcode} (how STOMP clients usually carry a token) counts as {@code Authorization: Bearer}.
     */
    private HttpHeaders headers(StompFrame frame) {
        HttpHeaders headers = new DefaultHttpHeaders().add(handshake.requestHeaders());
        String passcode = frame.header("passcode");
        if (passcode != null && !passcode.isEmpty() && frame.header("Authorization") == null) {
            headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + passcode);
        }
        frame.headers().forEach((name, value) -> {
            try {
                headers.set(name, value);
            } catch (IllegalArgumentException notAnHttpHeader) {
                // a STOMP header name HTTP would not allow (a space, say) cannot carry credentials: skip it
            }
        });
        return headers;
    }

    private static String version(String acceptVersion) {
        if (acceptVersion == null) {
            return "1.0";
        }
        List<String> offered = List.of(acceptVersion.replace(" ", "").split(","));
        for (String version : VERSIONS) {
            if (offered.contains(version)) {
                return version;
            }
        }
        throw ProtocolException.badRequest("no common STOMP version: this server speaks " + String.join(",", VERSIONS));
    }

    /**
     * Replaces the connect timeout with the negotiated heart-beats: a newline after {@code outMillis} without a
     * write, a close after twice {@code inMillis} without a read. A client that sends no heart-beats is pinged
     * (WebSocket ping, answered by every client's stack) so that its silence still means it is gone.
     */
    private void keepAlive(ChannelHandlerContext ctx, long outMillis, long inMillis, long pingMillis) {
        sendHeartBeats = outMillis > 0;
        sendPings = inMillis == 0;
        long writerIdle = sendHeartBeats ? outMillis : sendPings ? pingMillis : 0;
        long readerIdle = 2 * (inMillis > 0 ? inMillis : pingMillis);
        ctx.pipeline().replace("idle", "idle", new IdleStateHandler(readerIdle, writerIdle, 0, TimeUnit.MILLISECONDS));
    }

    private void onIdle(ChannelHandlerContext ctx, IdleStateEvent idle) {
        if (session == null) {
            ctx.close();
        } else if (idle.state() == IdleState.READER_IDLE) {
            session.disconnect(CloseCode.POLICY, "heart-beat timeout: nothing received from the client in time");
        } else if (idle.state() == IdleState.WRITER_IDLE) {
            if (sendHeartBeats) {
                ctx.write(new TextWebSocketFrame(Unpooled.wrappedBuffer(HEART_BEAT)), ctx.voidPromise());
            }
            if (sendPings) {
                ctx.write(new PingWebSocketFrame(), ctx.voidPromise());
            }
            ctx.flush();
        }
    }

    /** An asynchronous failure of a frame's effect (a store commit, a presence write), from any thread. */
    private void failLater(ChannelHandlerContext ctx, Throwable error, String receiptId) {
        Throwable cause = AsyncReplies.unwrap(error);
        ctx.channel().eventLoop().execute(() -> {
            if (cause instanceof ProtocolException e) {
                fail(ctx, e, receiptId);
            } else {
                LOG.error("stomp connection {}: a frame's effect failed", session.id(), cause);
                fail(ctx, CloseCode.POLICY, ErrorCode.INTERNAL, "internal error", receiptId);
            }
        });
    }

    private void fail(ChannelHandlerContext ctx, ProtocolException e, String receiptId) {
        CloseCode code = switch (e.code()) {
            case UNAUTHORIZED -> CloseCode.UNAUTHORIZED;
            case FORBIDDEN -> session == null ? CloseCode.FORBIDDEN : CloseCode.POLICY;
            case TOO_LARGE -> CloseCode.TOO_LARGE;
            case RATE_LIMITED -> CloseCode.RATE_LIMITED;
            default -> CloseCode.POLICY;
        };
        fail(ctx, code, e.code(), e.getMessage(), receiptId);
    }

    private void fail(ChannelHandlerContext ctx, CloseCode code, ErrorCode error, String message, String receiptId) {
        if (failed) {
            return;
        }
        failed = true;
        byte[] frame = StompEncoder.error(error, message, receiptId);
        if (session == null) {
            WebSocketTransport.closeWith(ctx.channel(), code, Unpooled.wrappedBuffer(frame));
            return;
        }
        // Queued behind what the client is already owed (CONNECTED, receipts), then closed once the loop wrote it.
        transport.errorSent();
        session.send(Unpooled.wrappedBuffer(frame));
        ctx.channel().eventLoop().execute(() -> session.disconnect(code, message));
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
        if (connection != null) {
            connection.close();
        }
        if (session != null) {
            sessions.closed(session);
        }
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (handshake == null) {
            ctx.close();
        } else if (cause instanceof TooLongFrameException
                || (cause instanceof CorruptedWebSocketFrameException c && c.closeStatus() == WebSocketCloseStatus.MESSAGE_TOO_BIG)) {
            fail(ctx, CloseCode.TOO_LARGE, ErrorCode.TOO_LARGE, "frame larger than " + config.limits().maxFrameBytes() + " bytes", null);
        } else if (cause instanceof CorruptedFrameException) {
            fail(ctx, CloseCode.POLICY, ErrorCode.BAD_REQUEST, "WebSocket protocol violation: " + cause.getMessage(), null);
        } else if (cause instanceof IOException) {
            LOG.debug("stomp connection {} I/O error: {}", session == null ? "-" : session.id(), cause.toString());
            ctx.close();
        } else {
            LOG.error("stomp connection {} failed", session == null ? "-" : session.id(), cause);
            fail(ctx, CloseCode.POLICY, ErrorCode.INTERNAL, "internal error", null);
        }
    }
}
