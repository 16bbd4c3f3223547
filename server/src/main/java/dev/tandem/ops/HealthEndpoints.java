package dev.tandem.ops;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.transport.HttpReply;
import dev.tandem.transport.HttpRouter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Probes and metrics: {@code /health/live} (the process answers), {@code /health/ready} (it accepts new work:
 * 200 when every {@link Readiness} check is up, 503 naming the checks that are down, e.g. while draining, so
 * a load balancer stops sending clients before the node goes away) and {@code /metrics} in the Prometheus
 * text format.
 */
public final class HealthEndpoints {
    private HealthEndpoints() {
    }

    public static void registerOn(HttpRouter router, Readiness readiness, TandemMetrics metrics) {
        router.route(HttpMethod.GET, "/health/live", exchange -> HttpReply.ok(status("up")))
                .route(HttpMethod.GET, "/health/ready", exchange -> {
                    Readiness.Report report = readiness.report();
                    return HttpReply.json(report.ready() ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                            report.body());
                })
                .routeAsync(HttpMethod.GET, "/metrics", exchange -> metrics.scrapeAsync()
                        .thenApply(text -> HttpReply.text("text/plain; version=0.0.4; charset=utf-8", text)));
    }

    private static ObjectNode status(String status) {
        return FrameCodec.JSON.createObjectNode().put("status", status);
    }
}
