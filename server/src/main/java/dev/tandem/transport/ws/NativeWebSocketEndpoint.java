package dev.tandem.transport.ws;

import dev.tandem.auth.Authenticator;
import dev.tandem.config.TandemConfig;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.session.CommandRouter;
import dev.tandem.session.SessionRegistry;
import dev.tandem.transport.WebSocketEndpoint;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/**
 * The native JSON protocol at {@code /ws}: Netty's handshake and framing (no per-message deflate, so one
 * encoded publication can be shared by every subscriber), fragment aggregation up to the frame limit, then
 * {@link NativeWebSocketHandler}.
 */
public final class NativeWebSocketEndpoint implements WebSocketEndpoint {
    public static final String PATH = "/ws";

    private final TandemConfig config;
    private final Authenticator authenticator;
    private final SessionRegistry sessions;
    private final CommandRouter commands;
    private final TandemMetrics metrics;
    private final WebSocketServerProtocolConfig protocol;

    public NativeWebSocketEndpoint(TandemConfig config, Authenticator authenticator, SessionRegistry sessions,
                                   CommandRouter commands, TandemMetrics metrics) {
        this.config = config;
        this.authenticator = authenticator;
        this.sessions = sessions;
        this.commands = commands;
        this.metrics = metrics;
        this.protocol = protocolConfig(config.limits().maxFrameBytes());
    }

    /** Immutable and shared by every connection (it is per-connection heap otherwise). */
    private static WebSocketServerProtocolConfig protocolConfig(int maxFrame) {
        return WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(PATH)
                .checkStartsWith(true)
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .handshakeTimeoutMillis(10_000)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(maxFrame)
                        .allowExtensions(false)
                        .closeOnProtocolViolation(false)
                        .build())
                .build();
    }

    @Override
    public void install(ChannelPipeline pipeline) {
        int maxFrame = config.limits().maxFrameBytes();
        pipeline.addLast("ws-protocol", new WebSocketServerProtocolHandler(protocol));
        pipeline.addLast("ws-aggregator", new WebSocketFrameAggregator(maxFrame));
        pipeline.addLast("ws-native", new NativeWebSocketHandler(config, authenticator, sessions, commands, metrics));
    }
}
