package dev.tandem.transport;

import io.netty.channel.ChannelPipeline;

/**
 * A WebSocket protocol served on a path ({@code /ws}, {@code /yjs/{room}}, ...). When an
 * upgrade request for its path arrives, the router asks it to add its handlers to the pipeline, hands it the
 * request, and steps out of the pipeline itself, so an upgraded connection carries only what it needs.
 */
public interface WebSocketEndpoint {
    void install(ChannelPipeline pipeline);
}
