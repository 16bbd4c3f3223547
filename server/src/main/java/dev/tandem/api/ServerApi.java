package dev.tandem.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.TandemVersion;
import dev.tandem.auth.Authenticator;
import dev.tandem.auth.ChannelAccess;
import dev.tandem.auth.Identity;
import dev.tandem.config.TandemConfig;
import dev.tandem.hub.ChannelInfo;
import dev.tandem.hub.AckLag;
import dev.tandem.hub.ChannelName;
import dev.tandem.hub.HistoryQuery;
import dev.tandem.hub.Hub;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.InboundFrame;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.ChannelCommands;
import dev.tandem.session.SessionRegistry;
import dev.tandem.transport.AsyncHttpEndpoint;
import dev.tandem.transport.HttpEndpoint;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.HttpReply;
import dev.tandem.transport.HttpRouter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.security.MessageDigest;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The server HTTP API for back ends: publish into a channel (one, a batch, or one payload to many channels),
 * read a channel's history, list active channels, disconnect a user, and describe the node. Every route
 * requires {@code Authorization: apikey KEY} when {@code api.key} is set; in production (serve) the API
 * refuses every request until it is set, in dev mode it is open without one. A channel's history may also be
 * read by a user with {@code Authorization: Bearer JWT}, as far as {@link ChannelAccess} allows.
 */
public final class ServerApi {
    private static final String CHANNELS_PREFIX = "/api/channels/";
    private static final String HISTORY_SUFFIX = "/history";
    /** Most publications (or channels) one batch or broadcast request may carry. */
    static final int MAX_BATCH = 1000;

    private final TandemConfig config;
    private final Hub hub;
    private final SessionRegistry sessions;
    private final Map<String, ChannelResource> channelResources = new ConcurrentHashMap<>();
    private final Authenticator authenticator;
    private final ChannelAccess access;

    public ServerApi(TandemConfig config, Hub hub, SessionRegistry sessions, Authenticator authenticator,
                     ChannelAccess access) {
        this.config = config;
        this.hub = hub;
        this.sessions = sessions;
        channelResources.put(HISTORY_SUFFIX, this::history);
        channelResources.put("/acks", this::acks);
        this.authenticator = authenticator;
        this.access = access;
    }

    public void registerOn(HttpRouter router) {
        router.routeAsync(HttpMethod.POST, "/api/publish", guardedAsync(this::publish))
                .routeAsync(HttpMethod.POST, "/api/publish/batch", guardedAsync(this::publishBatch))
                .routeAsync(HttpMethod.POST, "/api/broadcast", guardedAsync(this::broadcast))
                .route(HttpMethod.POST, "/api/disconnect", guarded(this::disconnect))
                .route(HttpMethod.GET, "/api/channels", guarded(this::channels))
                .routePrefixAsync(HttpMethod.GET, CHANNELS_PREFIX, this::userOrKey)
                .route(HttpMethod.GET, "/api/info", guarded(this::info));
    }

    /** Wraps an endpoint in the api-key check of {@code /api}; other API routes (presence, chat) reuse it. */
    public HttpEndpoint guarded(HttpEndpoint endpoint) {
        return exchange -> {
            requireKey(exchange);
            return endpoint.handle(exchange);
        };
    }

    /** {@link #guarded} for endpoints that answer later. */
    public AsyncHttpEndpoint guardedAsync(AsyncHttpEndpoint endpoint) {
        return exchange -> {
            requireKey(exchange);
            return endpoint.handle(exchange);
        };
    }

    private void requireKey(HttpExchange exchange) {
        requireApiKey(config, exchange);
    }

    /**
     * The guard of every {@code /api} route: throws {@code unauthorized} unless the API key is given. Without a
     * configured key the API is open in dev mode and closed in production.
     */
    public static void requireApiKey(TandemConfig config, HttpExchange exchange) {
        String key = config.api().key();
        if ((key == null || key.isEmpty()) && config.dev()) {
            return;
        }
        if (key == null || key.isEmpty()) {
            throw new ProtocolException(ErrorCode.UNAUTHORIZED, "the server API is disabled until api.key is set");
        }
        byte[] expected = ("apikey " + key).getBytes(StandardCharsets.UTF_8);
        String given = exchange.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
            throw new ProtocolException(ErrorCode.UNAUTHORIZED, "missing or wrong 'Authorization: apikey KEY' header");
        }
    }

    private CompletableFuture<HttpReply> publish(HttpExchange exchange) {
        JsonNode body = exchange.jsonObject();
        JsonNode channel = body.get("channel");
        if (channel == null || !channel.isTextual()) {
            throw ProtocolException.badRequest("'channel' is required and must be a string");
        }
        JsonNode payload = body.get("payload");
        if (payload == null) {
            throw ProtocolException.badRequest("'payload' is required");
        }
        long ttl = InboundFrame.optionalSeq(body, "ttl", 0);
        String name = ChannelName.validate(channel.textValue());
        hub.load().admitPublishes(1);
        return hub.publishAsync(name, payload, null, ttl)
                .thenApply(seq -> HttpReply.ok(FrameCodec.JSON.createObjectNode().put("seq", seq)));
    }

    /**
     * {@code {publications: [{channel, payload}, ...]}}: every item is validated before any is published,
     * then they are published in order; the reply lists the seqs in the same order.
     */
    private CompletableFuture<HttpReply> publishBatch(HttpExchange exchange) {
        JsonNode items = exchange.jsonObject().get("publications");
        if (items == null || !items.isArray() || items.isEmpty() || items.size() > MAX_BATCH) {
            throw ProtocolException.badRequest("'publications' must be an array of 1 to " + MAX_BATCH + " {channel, payload}");
        }
        List<String> channels = new ArrayList<>();
        for (JsonNode item : items) {
            JsonNode channel = item.get("channel");
            if (channel == null || !channel.isTextual() || !item.has("payload")) {
                throw ProtocolException.badRequest("each publication needs a string 'channel' and a 'payload'");
            }
            channels.add(ChannelName.validate(channel.textValue()));
        }
        hub.load().admitPublishes(channels.size());
        List<CompletableFuture<Long>> seqs = new ArrayList<>();
        for (int i = 0; i < channels.size(); i++) {
            seqs.add(hub.publishAsync(channels.get(i), items.get(i).get("payload"), null, 0));
        }
        return results(channels, seqs);
    }

    /** {@code {channels: [...], payload}}: the same payload into each channel (each gets its own seq). */
    private CompletableFuture<HttpReply> broadcast(HttpExchange exchange) {
        JsonNode request = exchange.jsonObject();
        JsonNode list = request.get("channels");
        JsonNode payload = request.get("payload");
        if (list == null || !list.isArray() || list.isEmpty() || list.size() > MAX_BATCH) {
            throw ProtocolException.badRequest("'channels' must be an array of 1 to " + MAX_BATCH + " channel names");
        }
        if (payload == null) {
            throw ProtocolException.badRequest("'payload' is required");
        }
        Set<String> channels = new LinkedHashSet<>();
        for (JsonNode channel : list) {
            if (!channel.isTextual()) {
                throw ProtocolException.badRequest("'channels' must contain strings");
            }
            channels.add(ChannelName.validate(channel.textValue()));
        }
        hub.load().admitPublishes(channels.size());
        List<CompletableFuture<Long>> seqs = new ArrayList<>();
        for (String channel : channels) {
            seqs.add(hub.publishAsync(channel, payload, null, 0));
        }
        return results(new ArrayList<>(channels), seqs);
    }

    /** {@code {results: [{channel, seq}, ...]}} once every publication is acknowledged (durable ones committed). */
    private static CompletableFuture<HttpReply> results(List<String> channels, List<CompletableFuture<Long>> seqs) {
        return CompletableFuture.allOf(seqs.toArray(CompletableFuture[]::new)).thenApply(done -> {
            ObjectNode body = FrameCodec.JSON.createObjectNode();
            ArrayNode results = body.putArray("results");
            for (int i = 0; i < channels.size(); i++) {
                results.addObject().put("channel", channels.get(i)).put("seq", seqs.get(i).join());
            }
            return HttpReply.ok(body);
        });
    }

    private HttpReply disconnect(HttpExchange exchange) {
        return HttpReply.ok(DisconnectRequest.from(exchange.jsonObject()).apply(sessions, DisconnectRequest.REASON));
    }

    /**
     * Adds a resource under {@code /api/channels/{channel}{suffix}} (suffix such as {@code /receipts}),
     * guarded like the rest of the API.
     */
    public ServerApi channelResource(String suffix, ChannelResource resource) {
        channelResources.put(suffix, resource);
        return this;
    }

    /** A resource of one channel, answered later. */
    @FunctionalInterface
    public interface ChannelResource {
        CompletableFuture<HttpReply> handle(String channel, HttpExchange exchange);
    }

    /**
     * Channel resources take the API key, except that a user may read a channel's history with
     * {@code Authorization: Bearer JWT} (from a browser) as far as {@link ChannelAccess} lets them.
     */
    private CompletableFuture<HttpReply> userOrKey(HttpExchange exchange) {
        String authorization = exchange.headers().get(HttpHeaderNames.AUTHORIZATION);
        boolean bearer = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7);
        if (!bearer || !exchange.path().endsWith(HISTORY_SUFFIX)) {
            requireKey(exchange);
            return channelResource(exchange);
        }
        String channel = ChannelName.validate(exchange.path().substring(CHANNELS_PREFIX.length(),
                exchange.path().length() - HISTORY_SUFFIX.length()));
        Identity user = authenticator.verify(authorization.substring(7).trim(), exchange.remoteAddress());
        access.check(user, channel, ChannelAccess.Action.HISTORY);
        return history(channel, exchange);
    }

    private CompletableFuture<HttpReply> channelResource(HttpExchange exchange) {
        String path = exchange.path();
        String rest = path.substring(CHANNELS_PREFIX.length());
        int slash = rest.lastIndexOf('/');
        ChannelResource resource = slash <= 0 ? null : channelResources.get(rest.substring(slash));
        if (resource == null) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no such endpoint: " + path);
        }
        return resource.handle(ChannelName.validate(rest.substring(0, slash)), exchange);
    }

    /** {@code {channel, subscribers: [{userId, acked, delivered, lag, redeliveries}]}}: ack: required lag per user. */
    private CompletableFuture<HttpReply> acks(String channel, HttpExchange exchange) {
        ObjectNode body = FrameCodec.JSON.createObjectNode().put("channel", channel)
                .put("ackRequired", hub.policy(channel).ackRequired());
        ArrayNode list = body.putArray("subscribers");
        for (AckLag lag : hub.ackLag(channel)) {
            list.addObject().put("userId", lag.userId()).put("acked", lag.acked()).put("delivered", lag.delivered())
                    .put("lag", lag.lag()).put("redeliveries", lag.redeliveries());
        }
        return CompletableFuture.completedFuture(HttpReply.ok(body));
    }

    private CompletableFuture<HttpReply> history(String channel, HttpExchange exchange) {
        HistoryQuery query = HistoryQuery.of(longParam(exchange, "after"), longParam(exchange, "before"),
                exchange.param("limit") == null ? HistoryQuery.MAX_LIMIT : longParam(exchange, "limit"));
        return hub.historyAsync(channel, query).thenApply(page -> {
            ObjectNode body = FrameCodec.JSON.createObjectNode().put("channel", channel);
            ChannelCommands.writePage(body, page);
            return HttpReply.ok(body);
        });
    }

    private HttpReply channels(HttpExchange exchange) {
        ObjectNode body = FrameCodec.JSON.createObjectNode();
        ArrayNode list = body.putArray("channels");
        for (ChannelInfo info : hub.channels()) {
            list.addObject().put("channel", info.name()).put("subscribers", info.subscribers())
                    .put("seq", info.seq()).put("epoch", info.epoch()).put("history", info.history());
        }
        return HttpReply.ok(body);
    }

    private HttpReply info(HttpExchange exchange) {
        ObjectNode body = FrameCodec.JSON.createObjectNode()
                .put("name", "tandem")
                .put("version", TandemVersion.VERSION)
                .put("protocol", 1)
                .put("dev", config.dev())
                .put("connections", sessions.size())
                .put("channels", hub.channels().size());
        return HttpReply.ok(body);
    }

    /** A query parameter that must be a non-negative integer when present; -1 when absent. */
    public static long longParam(HttpExchange exchange, String name) {
        String value = exchange.param(name);
        if (value == null) {
            return -1;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed < 0) {
                throw new NumberFormatException();
            }
            return parsed;
        } catch (NumberFormatException e) {
            throw ProtocolException.badRequest("'" + name + "' must be a non-negative integer");
        }
    }
}
