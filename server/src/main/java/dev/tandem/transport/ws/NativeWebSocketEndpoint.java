package dev.tandem.transport.ws;

import dev.tandem.auth.Authenticator;
import dev.tandem.config.TandemConfig;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.session.CommandRouter;
import dev.tandem.session.SessionRegistry;
import dev.tandem.transport.ReadIdleWatch;
import dev.tandem.transport.WebSocketEndpoint;
import dev.tandem.transport.WebSocketEndpoint.Framing;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;

/**
 * The native JSON protocol at {@code /ws}: Netty's handshake and framing (no per-message deflate, so one
 * encoded publication can be shared by every subscriber), then {@link NativeWebSocketHandler}, which also joins
 * fragments up to the frame limit and checks UTF-8 ({@code WebSocketEndpoint.Framing.ENDPOINT}: the connections
 * that are most numerous carry the fewest handlers).
 */
public final class NativeWebSocketEndpoint implements WebSocketEndpoint {
    public static final String PATH = "/ws";

    private final TandemConfig config;
    private final Authenticator authenticator;
    private final SessionRegistry sessions;
    private final CommandRouter commands;
    private final TandemMetrics metrics;
    private final WebSocketServerProtocolConfig protocol;
    private final ReadIdleWatch idleWatch;

    public NativeWebSocketEndpoint(TandemConfig config, Authenticator authenticator, SessionRegistry sessions,
                                   CommandRouter commands, TandemMetrics metrics) {
        this.config = config;
        this.authenticator = authenticator;
        this.sessions = sessions;
        this.commands = commands;
        this.metrics = metrics;
        this.protocol = WebSocketEndpoint.protocolConfig(PATH, config.limits().maxFrameBytes(), null, Framing.ENDPOINT);
        this.idleWatch = ReadIdleWatch.forInterval(config.connection().pingInterval());
    }


    @Override
    public void install(ChannelPipeline pipeline) {
        int maxFrame = config.limits().maxFrameBytes();
        WebSocketEndpoint.installFraming(pipeline, protocol, Framing.ENDPOINT, maxFrame);
        pipeline.addLast("ws-native", new NativeWebSocketHandler(config, authenticator, sessions, commands, metrics,
                idleWatch));
    }
}
