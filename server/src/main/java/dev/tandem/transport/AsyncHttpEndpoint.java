package dev.tandem.transport;

import java.util.concurrent.CompletableFuture;

/**
 * An HTTP resource whose answer needs blocking work done elsewhere (a store read): it returns at once with a
 * future and the router writes the reply on the connection's event loop when it completes. A future failed
 * with a {@link dev.tandem.protocol.ProtocolException} becomes its JSON 4xx.
 */
@FunctionalInterface
public interface AsyncHttpEndpoint extends HttpEndpoint {
    CompletableFuture<HttpReply> handleAsync(HttpExchange exchange);

    @Override
    default HttpReply handle(HttpExchange exchange) {
        return handleAsync(exchange).join();
    }
}
