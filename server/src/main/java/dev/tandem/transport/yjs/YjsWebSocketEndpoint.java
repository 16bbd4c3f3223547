package dev.tandem.transport.yjs;

import dev.tandem.auth.Authenticator;
import dev.tandem.config.TandemConfig;
import dev.tandem.docs.DocumentAccess;
import dev.tandem.docs.DocumentRooms;
import dev.tandem.transport.WebSocketEndpoint;
import dev.tandem.transport.WebSocketEndpoint.Framing;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;

/**
 * The y-websocket protocol at {@code /yjs/{room}}: Netty's handshake and framing with the large message cap
 * of {@code documents.maxMessageBytes} (a first sync step 2 can be megabytes), then {@link YjsConnectionHandler}.
 */
public final class YjsWebSocketEndpoint implements WebSocketEndpoint {
    public static final String PREFIX = "/yjs/";

    private final TandemConfig config;
    private final Authenticator authenticator;
    private final DocumentAccess access;
    private final DocumentRooms rooms;
    private final WebSocketServerProtocolConfig protocol;

    public YjsWebSocketEndpoint(TandemConfig config, Authenticator authenticator, DocumentAccess access,
                                DocumentRooms rooms) {
        this.config = config;
        this.authenticator = authenticator;
        this.access = access;
        this.rooms = rooms;
        this.protocol = WebSocketEndpoint.protocolConfig("/yjs", config.documents().maxMessageBytes(), null,
                Framing.NETTY);
    }

    @Override
    public void install(ChannelPipeline pipeline) {
        WebSocketEndpoint.installFraming(pipeline, protocol, Framing.NETTY, config.documents().maxMessageBytes());
        pipeline.addLast("yjs", new YjsConnectionHandler(config, authenticator, access, rooms));
    }
}
