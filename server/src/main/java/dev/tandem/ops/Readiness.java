package dev.tandem.ops;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.FrameCodec;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The named checks behind {@code /health/ready}. The node is ready when every check is up; the probe body
 * lists each check and names the ones that are down, so an operator sees at once whether it is the store,
 * Redis or a drain. Components register their check when they start ({@link #register}).
 */
public final class Readiness {
    private final List<HealthCheck> checks = new CopyOnWriteArrayList<>();

    public Readiness register(HealthCheck check) {
        checks.add(check);
        return this;
    }

    /** Runs every check; {@code ready} is true when all are up. */
    public Report report() {
        ObjectNode body = FrameCodec.JSON.createObjectNode();
        ArrayNode list = FrameCodec.JSON.createArrayNode();
        ArrayNode down = FrameCodec.JSON.createArrayNode();
        for (HealthCheck check : checks) {
            HealthCheck.Result result = safely(check);
            ObjectNode entry = list.addObject().put("name", check.name()).put("status", result.up() ? "up" : "down");
            if (result.detail() != null) {
                entry.put("detail", result.detail());
            }
            if (!result.up()) {
                down.add(check.name());
            }
        }
        boolean ready = down.isEmpty();
        body.put("status", ready ? "ready" : "unavailable");
        if (!ready) {
            body.set("down", down);
        }
        body.set("checks", list);
        return new Report(ready, body);
    }

    private static HealthCheck.Result safely(HealthCheck check) {
        try {
            return check.check();
        } catch (RuntimeException e) {
            return HealthCheck.Result.down("check failed: " + e);
        }
    }

    /**
     * A probe's outcome.
     *
     * @param ready whether every check is up
     * @param body  {@code {status, down?, checks: [{name, status, detail?}]}}
     */
    public record Report(boolean ready, ObjectNode body) {
    }
}
