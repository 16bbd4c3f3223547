package dev.tandem.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.TandemVersion;
import dev.tandem.api.DisconnectRequest;
import dev.tandem.auth.Authenticator;
import dev.tandem.cluster.NodeInfo;
import dev.tandem.config.TandemConfig;
import dev.tandem.hub.ChannelInfo;
import dev.tandem.hub.ChannelName;
import dev.tandem.hub.HistoryQuery;
import dev.tandem.hub.Hub;
import dev.tandem.ops.TandemMetrics;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.ChannelCommands;
import dev.tandem.session.SessionRegistry;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.HttpReply;
import dev.tandem.transport.HttpRouter;
import io.netty.handler.codec.http.HttpMethod;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The admin dashboard at {@code /admin}: a static page (HTML, JS, CSS and uPlot from the jar) and the JSON
 * API it polls and acts through. Counters are returned cumulative with the server time; the page turns them
 * into per-second rates, so the server keeps no per-viewer state. Every {@code /admin/api/*} route passes
 * the {@link AdminGuard}; the page itself holds no data and is served to anyone who can reach it. In a cluster
 * the counters and the channel list are this node's (each response says which node), and the node list links
 * to every node's own dashboard.
 */
public final class AdminEndpoints {
    static final int MAX_CHANNELS = 200;

    private final Hub hub;
    private final SessionRegistry sessions;
    private final TandemMetrics metrics;
    private final RecentDisconnects disconnects;
    private final AdminGuard guard;
    private final StaticAssets assets = new StaticAssets();
    private final long startedAt = System.currentTimeMillis();
    private final String nodeId;
    private final Supplier<CompletionStage<List<NodeInfo>>> nodes;

    /**
     * @param nodeId this node's id
     * @param nodes  the live nodes of the cluster (a single node: itself)
     */
    public AdminEndpoints(TandemConfig config, Hub hub, SessionRegistry sessions, TandemMetrics metrics,
                          RecentDisconnects disconnects, Authenticator authenticator, String nodeId,
                          Supplier<CompletionStage<List<NodeInfo>>> nodes) {
        this.nodeId = nodeId;
        this.nodes = nodes;
        this.hub = hub;
        this.sessions = sessions;
        this.metrics = metrics;
        this.disconnects = disconnects;
        this.guard = new AdminGuard(config, authenticator);
    }

    public void registerOn(HttpRouter router) {
        router.route(HttpMethod.GET, "/admin", assets::index)
                .route(HttpMethod.GET, "/admin/", assets::index)
                .routePrefix(HttpMethod.GET, StaticAssets.PREFIX, assets::asset)
                .route(HttpMethod.GET, "/admin/api/stats", guard.guard(this::stats))
                .route(HttpMethod.GET, "/admin/api/channels", guard.guard(this::channels))
                .route(HttpMethod.GET, "/admin/api/disconnects", guard.guard(this::disconnects))
                .routeAsync(HttpMethod.GET, "/admin/api/nodes", guard.guardAsync(this::nodes))
                .routeAsync(HttpMethod.GET, "/admin/api/history", guard.guardAsync(this::history))
                .routeAsync(HttpMethod.POST, "/admin/api/publish", guard.guardAsync(this::publish))
                .route(HttpMethod.POST, "/admin/api/disconnect", guard.guard(this::disconnectUser));
    }

    private HttpReply stats(HttpExchange exchange) {
        ObjectNode body = FrameCodec.JSON.createObjectNode()
                .put("time", System.currentTimeMillis())
                .put("startedAt", startedAt)
                .put("version", TandemVersion.VERSION)
                .put("connections", sessions.size());
        ObjectNode byTransport = body.putObject("connectionsByTransport");
        sessions.countByTransport().forEach(byTransport::put);
        body.put("subscriptions", metrics.subscriptions().total())
                .put("channels", hub.channels().size())
                .put("framesIn", (long) metrics.framesIn().count())
                .put("framesOut", (long) metrics.framesOut().count())
                .put("publications", (long) metrics.publicationsTotal())
                .put("deliveries", (long) metrics.deliveries().count())
                .put("slowConsumerDisconnects", (long) metrics.slowConsumerDisconnects().count())
                .put("droppedFrames", (long) (metrics.droppedQueueFull().count() + metrics.droppedOnClose().count()));
        ObjectNode latency = body.putObject("latencyMs");
        putFinite(latency, "p50", metrics.deliveryLatencyMillis(0.5));
        putFinite(latency, "p99", metrics.deliveryLatencyMillis(0.99));
        return HttpReply.ok(body);
    }

    private HttpReply channels(HttpExchange exchange) {
        int limit = (int) intParam(exchange, "limit", 20, MAX_CHANNELS);
        List<ChannelInfo> all = hub.channels();
        // A node knows the channels its own clients use; listing the whole cluster's would mean asking every
        // node (or scanning Redis) on each poll, so the list says which node it covers.
        ObjectNode body = FrameCodec.JSON.createObjectNode().put("node", nodeId).put("total", all.size());
        ArrayNode list = body.putArray("channels");
        for (ChannelInfo info : all.subList(0, Math.min(limit, all.size()))) {
            list.addObject().put("channel", info.name()).put("subscribers", info.subscribers())
                    .put("seq", info.seq()).put("epoch", info.epoch()).put("history", info.history());
        }
        return HttpReply.ok(body);
    }

    private HttpReply disconnects(HttpExchange exchange) {
        ObjectNode body = FrameCodec.JSON.createObjectNode();
        ArrayNode list = body.putArray("disconnects");
        for (RecentDisconnects.Entry e : disconnects.newestFirst()) {
            list.addObject().put("time", e.time()).put("connectionId", e.connectionId()).put("userId", e.userId())
                    .put("transport", e.transport()).put("code", e.code()).put("reason", e.reason());
        }
        return HttpReply.ok(body);
    }

    private CompletableFuture<HttpReply> nodes(HttpExchange exchange) {
        return nodes.get().toCompletableFuture().thenApply(live -> {
            ObjectNode body = FrameCodec.JSON.createObjectNode().put("self", nodeId);
            ArrayNode list = body.putArray("nodes");
            for (NodeInfo node : live) {
                list.addObject().put("id", node.id()).put("address", node.address()).put("started", node.started())
                        .put("connections", node.connections()).put("lastHeartbeat", node.lastHeartbeat());
            }
            return HttpReply.ok(body);
        });
    }

    private CompletableFuture<HttpReply> history(HttpExchange exchange) {
        String channel = ChannelName.validate(exchange.param("channel"));
        long limit = intParam(exchange, "limit", 20, HistoryQuery.MAX_LIMIT);
        return hub.historyAsync(channel, HistoryQuery.of(-1, -1, limit)).thenApply(page -> {
            ObjectNode body = FrameCodec.JSON.createObjectNode().put("channel", channel);
            ChannelCommands.writePage(body, page);
            return HttpReply.ok(body);
        });
    }

    private CompletableFuture<HttpReply> publish(HttpExchange exchange) {
        JsonNode body = exchange.jsonObject();
        String channel = ChannelName.validate(requireText(body, "channel"));
        JsonNode payload = body.get("payload");
        if (payload == null) {
            throw ProtocolException.badRequest("'payload' is required");
        }
        return hub.publishAsync(channel, payload, null, 0)
                .thenApply(seq -> HttpReply.ok(FrameCodec.JSON.createObjectNode().put("channel", channel).put("seq", seq)));
    }

    /** Disconnects every session of a user; {@code reconnect: false} (4003) tells clients not to come back. */
    private HttpReply disconnectUser(HttpExchange exchange) {
        return HttpReply.ok(DisconnectRequest.from(exchange.jsonObject()).apply(sessions, "disconnected by an administrator"));
    }

    private static String requireText(JsonNode body, String field) {
        JsonNode value = body.get(field);
        if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
            throw ProtocolException.badRequest("'" + field + "' is required and must be a non-empty string");
        }
        return value.textValue();
    }

    private static long intParam(HttpExchange exchange, String name, long fallback, long max) {
        String value = exchange.param(name);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed < 1 || parsed > max) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw ProtocolException.badRequest("'" + name + "' must be an integer from 1 to " + max);
        }
    }

    private static void putFinite(ObjectNode target, String field, double value) {
        if (Double.isFinite(value)) {
            target.put(field, Math.round(value * 1000) / 1000.0);
        } else {
            target.putNull(field);
        }
    }
}
