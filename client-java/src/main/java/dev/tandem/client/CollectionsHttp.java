package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The live-record REST routes ({@code /api/collections/{c}[/{id}]}, docs/entities.md) for one caller: the back
 * end's API key ({@link ServerApiClient}) or a user's bearer token ({@link LiveCollection}). A {@code conflict}
 * fails with {@link EntityConflictException}.
 */
final class CollectionsHttp {
    private final HttpJson http;
    private final Supplier<String> authorization;

    CollectionsHttp(HttpJson http, Supplier<String> authorization) {
        this.http = http;
        this.authorization = authorization;
    }

    CompletableFuture<EntityRecord> get(String collection, String id) {
        return record(http.send("GET", path(collection, id), null, authorization.get()));
    }

    CompletableFuture<EntityPage> list(String collection, EntityQuery query) {
        return translate(http.send("GET", path(collection, null) + query.toQueryString(), null, authorization.get())
                .thenApply(CollectionsHttp::page));
    }

    /** Every page of {@code query}, followed to the last one. */
    CompletableFuture<List<EntityRecord>> listAll(String collection, EntityQuery query) {
        List<EntityRecord> all = new ArrayList<>();
        return collect(collection, query, all).thenApply(done -> List.copyOf(all));
    }

    private CompletableFuture<Void> collect(String collection, EntityQuery query, List<EntityRecord> into) {
        return list(collection, query).thenCompose(page -> {
            into.addAll(page.records());
            return page.hasNext() ? collect(collection, query.cursor(page.next()), into)
                    : CompletableFuture.completedFuture(null);
        });
    }

    CompletableFuture<EntityRecord> create(String collection, String id, JsonNode data) {
        ObjectNode body = Frames.JSON.createObjectNode();
        if (id != null) {
            body.put("id", id);
        }
        body.set("data", data);
        return record(http.send("POST", path(collection, null), body, authorization.get()));
    }

    CompletableFuture<EntityRecord> update(String collection, String id, long version, JsonNode data) {
        ObjectNode body = Frames.JSON.createObjectNode().put("version", version);
        body.set("data", data);
        return record(http.send("PUT", path(collection, id), body, authorization.get()));
    }

    CompletableFuture<EntityRecord> patch(String collection, String id, long baseVersion, JsonNode patch) {
        ObjectNode body = Frames.JSON.createObjectNode().put("baseVersion", baseVersion);
        body.set("patch", patch);
        return record(http.send("PATCH", path(collection, id), body, authorization.get()));
    }

    /** Deletes; {@code version} &lt;= 0 deletes whatever the current version is. */
    CompletableFuture<EntityRecord> delete(String collection, String id, long version) {
        String query = version > 0 ? "?version=" + version : "";
        return record(http.send("DELETE", path(collection, id) + query, null, authorization.get()));
    }

    /** {@code POST /api/collections/{c}/refresh}: every client reloads; completes with the event's seq. */
    CompletableFuture<Long> refresh(String collection) {
        return translate(http.send("POST", path(collection, null) + "/refresh", Frames.JSON.createObjectNode(),
                authorization.get()).thenApply(reply -> reply.path("seq").asLong()));
    }

    private static CompletableFuture<EntityRecord> record(CompletableFuture<JsonNode> reply) {
        return translate(reply.thenApply(EntityRecord::from));
    }

    /** Fails {@code conflict} with {@link EntityConflictException}, other refusals as they came. */
    static <T> CompletableFuture<T> translate(CompletableFuture<T> future) {
        return future.handle((value, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(value);
            }
            return CompletableFuture.<T>failedFuture(EntityConflictException.specific(error));
        }).thenCompose(Function.identity());
    }

    private static EntityPage page(JsonNode body) {
        List<EntityRecord> records = new ArrayList<>();
        body.path("records").forEach(r -> records.add(EntityRecord.from(r)));
        JsonNode next = body.get("next");
        return new EntityPage(List.copyOf(records), next == null || next.isNull() ? null : next.asText());
    }

    private static String path(String collection, String id) {
        String path = "/api/collections/" + URLEncoder.encode(collection, StandardCharsets.UTF_8);
        return id == null ? path : path + "/" + URLEncoder.encode(id, StandardCharsets.UTF_8);
    }
}
