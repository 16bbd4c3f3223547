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
     * Who, on an upgraded connection, answers close frames, joins fragmented messages and checks that text frames
     * are UTF-8. Netty does it with a handler per job; each is a pipeline entry and a handler object on every
     * connection, which on the endpoint that holds tens of thousands of idle connections is worth saving.
     */
    enum Framing {
        /** Netty's protocol handler answers close; its aggregator and UTF-8 validator sit in the pipeline. */
        NETTY,
        /**
         * The endpoint's own handler does all three ({@code WebSocketTransport.answerClose},
         * {@code ws.FragmentedMessage}), so the pipeline after the upgrade is the decoder, the encoder, the
         * protocol handler (pings) and the endpoint's handler, and the handshaker is dropped
         * ({@code WebSocketTransport.forgetHandshaker}).
         */
        ENDPOINT
    }

    /**
     * The Netty handshake and framing settings every Tandem WebSocket endpoint uses: no extensions (no
     * per-message deflate, so one encoded frame can be shared by many connections), frames up to
     * {@code maxFrameBytes}, protocol violations handed to the endpoint's handler (which sends its own close
     * reason), close frames, fragments and UTF-8 checks as {@code framing} says. Immutable: build it once per
     * endpoint and share it across connections.
     */
    static WebSocketServerProtocolConfig protocolConfig(String path, int maxFrameBytes, String subprotocols,
                                                        Framing framing) {
        boolean netty = framing == Framing.NETTY;
        return WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(path)
                .checkStartsWith(true)
                .subprotocols(subprotocols)
                .handleCloseFrames(netty)
                .dropPongFrames(true)
                .handshakeTimeoutMillis(10_000)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(maxFrameBytes)
                        .allowExtensions(false)
                        .closeOnProtocolViolation(false)
                        .withUTF8Validator(netty)
                        .build())
                .build();
    }

    /**
     * Adds Netty's handshake/framing handler and, for {@link Framing#NETTY}, a fragment aggregator bounded by
     * {@code maxFrameBytes} (the UTF-8 validator follows from the protocol config).
     */
    static void installFraming(ChannelPipeline pipeline, WebSocketServerProtocolConfig protocol, Framing framing,
                               int maxFrameBytes) {
        pipeline.addLast("ws-protocol", new WebSocketServerProtocolHandler(protocol));
        if (framing == Framing.NETTY) {
            pipeline.addLast("ws-aggregator", new WebSocketFrameAggregator(maxFrameBytes));
        }
    }
}
