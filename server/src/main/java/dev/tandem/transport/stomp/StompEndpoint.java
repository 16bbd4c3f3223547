package dev.tandem.transport.stomp;

import dev.tandem.auth.Authenticator;
import dev.tandem.auth.ChannelAccess;
import dev.tandem.config.TandemConfig;
import dev.tandem.hub.Hub;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.session.SessionRegistry;
import dev.tandem.transport.WebSocketEndpoint;
import dev.tandem.transport.WebSocketEndpoint.Framing;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;

/**
 * STOMP 1.2 (and 1.1, 1.0) over WebSocket at {@code /stomp}, for existing Spring and {@code @stomp/stompjs}
 * front ends: Netty's handshake with the {@code v12.stomp}, {@code v11.stomp} and {@code v10.stomp}
 * sub-protocols (the client's first supported choice is echoed; a client offering none is accepted too), no
 * per-message deflate, fragment aggregation up to the frame limit, then {@link StompHandler}.
 */
public final class StompEndpoint implements WebSocketEndpoint {
    public static final String PATH = "/stomp";
    static final String SUBPROTOCOLS = "v12.stomp,v11.stomp,v10.stomp";

    private final TandemConfig config;
    private final Authenticator authenticator;
    private final ChannelAccess access;
    private final SessionRegistry sessions;
    private final Hub hub;
    private final TandemMetrics metrics;
    private final StompQueueGroup.Registry queues;
    private final StompApplication app;
    private final WebSocketServerProtocolConfig protocol;

    public StompEndpoint(TandemConfig config, Authenticator authenticator, ChannelAccess access, SessionRegistry sessions,
                         Hub hub, StompApplication app, TandemMetrics metrics) {
        this.app = app;
        this.config = config;
        this.authenticator = authenticator;
        this.access = access;
        this.sessions = sessions;
        this.hub = hub;
        this.metrics = metrics;
        this.queues = new StompQueueGroup.Registry(hub);
        this.protocol = WebSocketEndpoint.protocolConfig(PATH, config.limits().maxFrameBytes(), SUBPROTOCOLS,
                Framing.NETTY);
    }

    @Override
    public void install(ChannelPipeline pipeline) {
        int maxFrame = config.limits().maxFrameBytes();
        WebSocketEndpoint.installFraming(pipeline, protocol, Framing.NETTY, maxFrame);
        pipeline.addLast("stomp", new StompHandler(config, authenticator, access, sessions, hub, queues, app, metrics));
    }
}
