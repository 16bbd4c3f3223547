package dev.tandem.transport;

import java.util.concurrent.CompletableFuture;

/**
 * An HTTP resource whose answer needs blocking work done elsewhere (a store read or commit): it returns at
 * once with a future, and the router writes the reply on the connection's event loop when it completes. A
 * future failed with a {@link dev.tandem.protocol.ProtocolException} is answered as its JSON 4xx.
 */
@FunctionalInterface
public interface AsyncHttpEndpoint {
    CompletableFuture<HttpReply> handle(HttpExchange exchange);
}
