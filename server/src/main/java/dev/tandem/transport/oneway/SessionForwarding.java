package dev.tandem.transport.oneway;

import dev.tandem.auth.Identity;
import java.util.concurrent.CompletableFuture;

/**
 * Where {@code POST /session/{id}} sends commands for a session this node does not hold: in a cluster, the node
 * that holds it (so no sticky sessions are needed). Completes with whether some node took them.
 */
public interface SessionForwarding {

    /** Hands {@code body} (the POST body, already validated here) to the node holding {@code sessionId} for {@code user}. */
    CompletableFuture<Boolean> forward(String sessionId, Identity user, byte[] body);
}
