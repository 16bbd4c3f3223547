package dev.tandem.transport;

/**
 * One HTTP resource. Runs on the event loop, so it must not block; it throws
 * {@link dev.tandem.protocol.ProtocolException} for client mistakes, which the router answers as a JSON 4xx.
 */
@FunctionalInterface
public interface HttpEndpoint {
    HttpReply handle(HttpExchange exchange);
}
