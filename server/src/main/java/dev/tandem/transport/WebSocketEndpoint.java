package dev.tandem.transport;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;

/**
 * A WebSocket protocol served on a path ({@code /ws}, {@code /yjs/{room}}, ...). When an
 * upgrade request for its path arrives, the router asks it to add its handlers to the pipeline, hands it the
 * request, and steps out of the pipeline itself, so an upgraded connection carries only what it needs.
 */
public interface WebSocketEndpoint {
    void install(ChannelPipeline pipeline);

    /**
     * The Netty handshake and framing settings every Tandem WebSocket endpoint uses: no extensions (no
     * per-message deflate, so one encoded frame can be shared by many connections), frames up to
     * {@code maxFrameBytes}, protocol violations handed to the endpoint's handler (which sends its own close
     * reason). Immutable: build it once per endpoint and share it across connections.
     */
    static WebSocketServerProtocolConfig protocolConfig(String path, int maxFrameBytes, String subprotocols) {
        return protocolConfig(path, maxFrameBytes, subprotocols, true);
    }

    /**
     * As above; with {@code nettyAnswersClose} false, close frames reach the endpoint's handler, which answers
     * them itself ({@code WebSocketTransport.answerClose}) and so need not keep the handshaker Netty holds
     * per connection only for that ({@code WebSocketTransport.forgetHandshaker}).
     */
    static WebSocketServerProtocolConfig protocolConfig(String path, int maxFrameBytes, String subprotocols,
                                                        boolean nettyAnswersClose) {
        return WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(path)
                .checkStartsWith(true)
                .subprotocols(subprotocols)
                .handleCloseFrames(nettyAnswersClose)
                .dropPongFrames(true)
                .handshakeTimeoutMillis(10_000)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(maxFrameBytes)
                        .allowExtensions(false)
                        .closeOnProtocolViolation(false)
                        .build())
                .build();
    }

    /** Adds Netty's handshake/framing handler and a fragment aggregator bounded by {@code maxFrameBytes}. */
    static void installFraming(ChannelPipeline pipeline, WebSocketServerProtocolConfig protocol, int maxFrameBytes) {
        pipeline.addLast("ws-protocol", new WebSocketServerProtocolHandler(protocol));
        pipeline.addLast("ws-aggregator", new WebSocketFrameAggregator(maxFrameBytes));
    }
}
