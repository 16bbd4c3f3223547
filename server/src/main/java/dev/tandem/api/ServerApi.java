package dev.tandem.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.TandemVersion;
import dev.tandem.auth.Authenticator;
import dev.tandem.auth.ChannelAccess;
import dev.tandem.auth.Identity;
import dev.tandem.config.TandemConfig;
import dev.tandem.hub.ChannelInfo;
import dev.tandem.hub.ChannelName;
import dev.tandem.hub.HistoryQuery;
import dev.tandem.hub.Hub;
import dev.tandem.hub.Publication;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.InboundFrame;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.ChannelCommands;
import dev.tandem.session.SessionRegistry;
import dev.tandem.transport.HttpEndpoint;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.HttpReply;
import dev.tandem.transport.HttpRouter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The server HTTP API for back ends: publish into a channel, read a channel's history, list active channels,
 * and describe the node. Every route requires {@code Authorization: apikey KEY} when {@code api.key} is set;
 * in production (serve) the API refuses every request until it is set, in dev mode it is open without one.
 * A channel's history may also be read by a user with {@code Authorization: Bearer JWT}, as far as
 * {@link ChannelAccess} allows.
 */
public final class ServerApi {
    private static final String HISTORY_PREFIX = "/api/channels/";
    private static final String HISTORY_SUFFIX = "/history";

    private final TandemConfig config;
    private final Hub hub;
    private final SessionRegistry sessions;
    private final Authenticator authenticator;
    private final ChannelAccess access;

    public ServerApi(TandemConfig config, Hub hub, SessionRegistry sessions, Authenticator authenticator,
                     ChannelAccess access) {
        this.config = config;
        this.hub = hub;
        this.sessions = sessions;
        this.authenticator = authenticator;
        this.access = access;
    }

    public void registerOn(HttpRouter router) {
        router.route(HttpMethod.POST, "/api/publish", guarded(this::publish))
                .route(HttpMethod.GET, "/api/channels", guarded(this::channels))
                .routePrefix(HttpMethod.GET, HISTORY_PREFIX, userOrKey(guarded(this::history)))
                .route(HttpMethod.GET, "/api/info", guarded(this::info));
    }

    private HttpEndpoint guarded(HttpEndpoint endpoint) {
        String key = config.api().key();
        if ((key == null || key.isEmpty()) && config.dev()) {
            return endpoint;
        }
        if (key == null || key.isEmpty()) {
            return exchange -> HttpReply.error(ErrorCode.UNAUTHORIZED, "the server API is disabled until api.key is set");
        }
        byte[] expected = ("apikey " + key).getBytes(StandardCharsets.UTF_8);
        return exchange -> {
            String given = exchange.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (given == null || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
                return HttpReply.error(ErrorCode.UNAUTHORIZED, "missing or wrong 'Authorization: apikey KEY' header");
            }
            return endpoint.handle(exchange);
        };
    }

    /**
     * A route a user may also call with {@code Authorization: Bearer JWT} (from a browser): allowed when
     * {@link ChannelAccess} lets that user read the channel's history; otherwise the API key guard applies.
     */
    private HttpEndpoint userOrKey(HttpEndpoint keyGuarded) {
        return exchange -> {
            String authorization = exchange.headers().get(HttpHeaderNames.AUTHORIZATION);
            if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
                return keyGuarded.handle(exchange);
            }
            Identity user = authenticator.verify(authorization.substring(7).trim(), exchange.remoteAddress());
            access.check(user, historyChannel(exchange), ChannelAccess.Action.HISTORY);
            return history(exchange);
        };
    }

    private HttpReply publish(HttpExchange exchange) {
        JsonNode body = readJson(exchange);
        JsonNode channel = body.get("channel");
        if (channel == null || !channel.isTextual()) {
            throw ProtocolException.badRequest("'channel' is required and must be a string");
        }
        JsonNode payload = body.get("payload");
        if (payload == null) {
            throw ProtocolException.badRequest("'payload' is required");
        }
        long ttl = InboundFrame.optionalSeq(body, "ttl", 0);
        Publication publication = hub.publish(ChannelName.validate(channel.textValue()), payload, null, ttl);
        return HttpReply.ok(FrameCodec.JSON.createObjectNode().put("seq", publication.seq()));
    }

    private static String historyChannel(HttpExchange exchange) {
        String path = exchange.path();
        if (!path.endsWith(HISTORY_SUFFIX) || path.length() <= HISTORY_PREFIX.length() + HISTORY_SUFFIX.length()) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no such endpoint: " + path);
        }
        return ChannelName.validate(path.substring(HISTORY_PREFIX.length(), path.length() - HISTORY_SUFFIX.length()));
    }

    private HttpReply history(HttpExchange exchange) {
        String channel = historyChannel(exchange);
        HistoryQuery query = HistoryQuery.of(longParam(exchange, "after"), longParam(exchange, "before"),
                exchange.param("limit") == null ? HistoryQuery.MAX_LIMIT : longParam(exchange, "limit"));
        ObjectNode body = FrameCodec.JSON.createObjectNode().put("channel", channel);
        ChannelCommands.writePage(body, hub.history(channel, query));
        return HttpReply.ok(body);
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

    private static JsonNode readJson(HttpExchange exchange) {
        try {
            JsonNode body = FrameCodec.JSON.readTree(exchange.body());
            if (body == null || !body.isObject()) {
                throw ProtocolException.badRequest("the body must be a JSON object");
            }
            return body;
        } catch (JsonProcessingException e) {
            throw ProtocolException.badRequest("malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ProtocolException.badRequest("unreadable body: " + e.getMessage());
        }
    }

    private static long longParam(HttpExchange exchange, String name) {
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
