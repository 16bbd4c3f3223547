package dev.tandem.transport;

import io.netty.channel.ChannelHandlerContext;

/**
 * An HTTP resource that writes its own response over time (SSE, NDJSON streaming, long polls) instead of
 * returning one {@link HttpReply}. It validates the request first and throws
 * {@link dev.tandem.protocol.ProtocolException} before writing anything, so the router still answers every
 * refusal as its JSON 4xx; once it returns normally the response on {@code ctx} is its own.
 */
@FunctionalInterface
public interface StreamingEndpoint {
    void open(ChannelHandlerContext ctx, HttpExchange exchange);
}
