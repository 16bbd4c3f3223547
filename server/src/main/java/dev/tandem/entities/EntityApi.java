package dev.tandem.entities;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.api.ServerApi;
import dev.tandem.auth.Authenticator;
import dev.tandem.config.TandemConfig;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.FrameCodec;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.transport.HttpExchange;
import dev.tandem.transport.HttpReply;
import dev.tandem.transport.HttpRouter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Live records over HTTP: {@code /api/collections/{c}} (POST create, GET list with field-equality filters,
 * sort and cursor), {@code /api/collections/{c}/{id}} (GET, PUT with {@code If-Match} or {@code version},
 * PATCH with a merge patch and its base version, DELETE with an optional version) and
 * {@code POST /api/collections/{c}/refresh}. A caller is a user with {@code Authorization: Bearer JWT}
 * (the collection's rules apply), or the back end with the server API key (every rule allows it).
 */
public final class EntityApi {
    static final String PREFIX = "/api/collections/";
    private static final Set<String> RESERVED_PARAMS = Set.of("sort", "limit", "cursor");
    private static final String MERGE_PATCH = "application/merge-patch+json";

    private final EntityService service;
    private final Authenticator authenticator;
    private final TandemConfig config;

    public EntityApi(EntityService service, Authenticator authenticator, TandemConfig config) {
        this.service = service;
        this.authenticator = authenticator;
        this.config = config;
    }

    public void registerOn(HttpRouter router) {
        router.routePrefixAsync(HttpMethod.GET, PREFIX, this::get)
                .routePrefixAsync(HttpMethod.POST, PREFIX, this::post)
                .routePrefixAsync(HttpMethod.PUT, PREFIX, this::put)
                .routePrefixAsync(HttpMethod.PATCH, PREFIX, this::patch)
                .routePrefixAsync(HttpMethod.DELETE, PREFIX, this::delete);
    }

    private CompletableFuture<HttpReply> get(HttpExchange exchange) {
        Actor actor = actor(exchange);
        List<String> path = segments(exchange);
        if (path.size() == 2) {
            return service.get(path.get(0), path.get(1), actor).thenApply(EntityApi::record);
        }
        return service.list(path.get(0), listQuery(exchange), actor).thenApply(page -> {
            ObjectNode body = FrameCodec.JSON.createObjectNode();
            ArrayNode records = body.putArray("records");
            page.records().forEach(r -> records.add(r.toJson()));
            if (page.next() == null) {
                body.putNull("next");
            } else {
                body.put("next", page.next());
            }
            return HttpReply.ok(body);
        });
    }

    private CompletableFuture<HttpReply> post(HttpExchange exchange) {
        Actor actor = actor(exchange);
        List<String> path = segments(exchange);
        if (path.size() == 2 && path.get(1).equals("refresh")) {
            return service.refresh(path.get(0))
                    .thenApply(seq -> HttpReply.ok(FrameCodec.JSON.createObjectNode().put("seq", seq)));
        }
        if (path.size() != 1) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "POST takes /api/collections/{c} or /api/collections/{c}/refresh");
        }
        JsonNode body = exchange.jsonObject();
        JsonNode id = body.get("id");
        if (id != null && !id.isNull() && !id.isTextual()) {
            throw ProtocolException.badRequest("'id' must be a string");
        }
        String chosen = id == null || id.isNull() ? null : id.textValue();
        return service.create(path.get(0), chosen, body.get("data"), actor)
                .thenApply(r -> HttpReply.json(HttpResponseStatus.CREATED, r.toJson()));
    }

    private CompletableFuture<HttpReply> put(HttpExchange exchange) {
        Actor actor = actor(exchange);
        List<String> path = recordPath(exchange);
        JsonNode body = exchange.jsonObject();
        Long version = ifMatch(exchange);
        if (version == null) {
            version = EntityCommands.version(body, "version", true);
        }
        return service.update(path.get(0), path.get(1), version, body.get("data"), actor).thenApply(EntityApi::record);
    }

    /**
     * {@code Content-Type: application/merge-patch+json}: the body is the patch and {@code If-Match} its base
     * version; otherwise the body is {@code {baseVersion, patch}}.
     */
    private CompletableFuture<HttpReply> patch(HttpExchange exchange) {
        Actor actor = actor(exchange);
        List<String> path = recordPath(exchange);
        JsonNode body = exchange.jsonObject();
        String type = exchange.headers().get(HttpHeaderNames.CONTENT_TYPE);
        boolean raw = type != null && type.toLowerCase().startsWith(MERGE_PATCH);
        Long base = raw ? ifMatch(exchange) : EntityCommands.version(body, "baseVersion", false);
        if (base == null) {
            base = ifMatch(exchange);
        }
        if (base == null) {
            throw ProtocolException.badRequest("the base version is required: 'If-Match' or 'baseVersion'");
        }
        return service.patch(path.get(0), path.get(1), base, raw ? body : body.get("patch"), actor)
                .thenApply(EntityApi::record);
    }

    private CompletableFuture<HttpReply> delete(HttpExchange exchange) {
        Actor actor = actor(exchange);
        List<String> path = recordPath(exchange);
        Long version = ifMatch(exchange);
        if (version == null && exchange.param("version") != null) {
            long given = ServerApi.longParam(exchange, "version");
            version = given < 1 ? badVersion() : given;
        }
        return service.delete(path.get(0), path.get(1), version, actor).thenApply(EntityApi::record);
    }

    private static HttpReply record(EntityRecord record) {
        return HttpReply.ok(record.toJson());
    }

    /** A user by bearer token, else the back end by API key (the same rule as the rest of {@code /api}). */
    private Actor actor(HttpExchange exchange) {
        String authorization = exchange.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Actor.user(authenticator.verify(authorization.substring(7).trim(), exchange.remoteAddress()));
        }
        ServerApi.requireApiKey(config, exchange);
        return Actor.server();
    }

    private static List<String> segments(HttpExchange exchange) {
        String rest = exchange.path().substring(PREFIX.length());
        List<String> parts = List.of(rest.split("/", -1));
        if (parts.isEmpty() || parts.size() > 2 || parts.stream().anyMatch(String::isEmpty)) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, "no such endpoint: " + exchange.path());
        }
        return parts;
    }

    private static List<String> recordPath(HttpExchange exchange) {
        List<String> path = segments(exchange);
        if (path.size() != 2) {
            throw new ProtocolException(ErrorCode.NOT_FOUND, exchange.method() + " takes /api/collections/{c}/{id}");
        }
        return path;
    }

    /** {@code If-Match: "3"} (or {@code 3}, or a weak {@code W/"3"}) as a version; null when absent. */
    private static Long ifMatch(HttpExchange exchange) {
        String value = exchange.headers().get(HttpHeaderNames.IF_MATCH);
        if (value == null) {
            return null;
        }
        String v = value.trim();
        if (v.startsWith("W/")) {
            v = v.substring(2);
        }
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            v = v.substring(1, v.length() - 1);
        }
        try {
            long version = Long.parseLong(v);
            return version < 1 ? badVersion() : version;
        } catch (NumberFormatException e) {
            throw ProtocolException.badRequest("'If-Match' must be a record version such as \"3\"");
        }
    }

    private static Long badVersion() {
        throw ProtocolException.badRequest("a version must be a positive integer");
    }

    private ListQuery listQuery(HttpExchange exchange) {
        Map<String, String> filters = new LinkedHashMap<>();
        exchange.query().forEach((name, values) -> {
            if (!RESERVED_PARAMS.contains(name) && !values.isEmpty()) {
                filters.put(name, values.get(0));
            }
        });
        String sort = exchange.param("sort") == null ? "id" : exchange.param("sort");
        boolean descending = sort.startsWith("-");
        String key = descending ? sort.substring(1) : sort;
        ListQuery.Sort by;
        try {
            by = ListQuery.Sort.valueOf(key);
        } catch (IllegalArgumentException e) {
            throw ProtocolException.badRequest("'sort' must be id, createdAt or updatedAt, with '-' for descending");
        }
        int max = config.entities().listLimit();
        long limit = exchange.param("limit") == null ? max : ServerApi.longParam(exchange, "limit");
        if (limit < 1) {
            throw ProtocolException.badRequest("'limit' must be between 1 and " + max);
        }
        String cursor = exchange.param("cursor");
        return new ListQuery(filters, by, descending, (int) Math.min(limit, max),
                cursor == null ? null : ListQuery.Cursor.decode(cursor));
    }
}
