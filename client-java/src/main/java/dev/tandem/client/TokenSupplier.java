package dev.tandem.client;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Supplies the token for each connection attempt (so a reconnect after a long outage gets a fresh one).
 * The token is sent as {@code Authorization: Bearer TOKEN}; a null token connects without one.
 */
@FunctionalInterface
public interface TokenSupplier {
    CompletionStage<String> token();

    static TokenSupplier none() {
        return () -> CompletableFuture.completedFuture(null);
    }

    static TokenSupplier of(String token) {
        return () -> CompletableFuture.completedFuture(token);
    }
}
