package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A collection of live records (docs/entities.md) seen by the client's user: writes go over the client's
 * connection ({@code entity.create|update|patch|delete}, answered with the stored record), reads over REST
 * with the same user's token ({@code GET /api/collections/{c}}), and {@link #subscribe} follows the
 * collection's change events on the durable channel {@code entity:{c}}, resumed across reconnects.
 *
 * <p>Concurrency is optimistic: an update names the version it was based on, a patch its base version, and
 * a write the collection's conflict strategy cannot apply fails with {@link EntityConflictException}
 * carrying the record the server holds now. The JS SDK's optimistic view (pending local edits over the
 * confirmed records) is application territory here: apply {@link EntityChange}s to your own model.
 */
public final class LiveCollection {
    private final TandemClient client;
    private final String name;
    private final CollectionsHttp rest;

    LiveCollection(TandemClient client, String name) {
        this.client = client;
        this.name = Objects.requireNonNull(name, "name");
        this.rest = new CollectionsHttp(new HttpJson(client.http(), client.httpBase(), client.requestTimeout()),
                client::authorization);
    }

    public String name() {
        return name;
    }

    /** The record {@code id} ({@code not_found} when it does not exist or the user may not read it). */
    public CompletableFuture<EntityRecord> get(String id) {
        return rest.get(name, id);
    }

    /** One page of the records the user may read. */
    public CompletableFuture<EntityPage> list(EntityQuery query) {
        return rest.list(name, query);
    }

    /** Every record matching {@code query}, following the pages. */
    public CompletableFuture<List<EntityRecord>> listAll(EntityQuery query) {
        return rest.listAll(name, query);
    }

    /** Creates a record with a server-assigned id. */
    public CompletableFuture<EntityRecord> create(JsonNode data) {
        return create(null, data);
    }

    /** Creates record {@code id} (null: the server assigns a UUID); {@code conflict} when it exists. */
    public CompletableFuture<EntityRecord> create(String id, JsonNode data) {
        ObjectNode payload = payload(id);
        payload.set("data", data);
        return write("entity.create", payload);
    }

    /** Replaces the data of record {@code id}; {@code version} is the version the data was edited from. */
    public CompletableFuture<EntityRecord> update(String id, long version, JsonNode data) {
        ObjectNode payload = payload(Objects.requireNonNull(id, "id")).put("version", version);
        payload.set("data", data);
        return write("entity.update", payload);
    }

    /** Applies an RFC 7396 JSON merge patch ({@code null} removes a field) to the data of version {@code baseVersion}. */
    public CompletableFuture<EntityRecord> patch(String id, long baseVersion, JsonNode patch) {
        ObjectNode payload = payload(Objects.requireNonNull(id, "id")).put("baseVersion", baseVersion);
        payload.set("patch", patch);
        return write("entity.patch", payload);
    }

    /** Deletes record {@code id} whatever its version; completes with the record as it was. */
    public CompletableFuture<EntityRecord> delete(String id) {
        return write("entity.delete", payload(Objects.requireNonNull(id, "id")));
    }

    /** Deletes record {@code id} only if it is still at {@code version}. */
    public CompletableFuture<EntityRecord> delete(String id, long version) {
        return write("entity.delete", payload(Objects.requireNonNull(id, "id")).put("version", version));
    }

    /**
     * Follows the collection's changes: each committed create, update and delete once, in commit order,
     * including those made while the connection was down (replayed on reconnect). When the stream can no longer
     * be trusted to be complete ({@code entity:refresh}, or a resume the server could not replay) the listener
     * is told to reload. Seq gaps are not reported: on collections whose read rule is {@code owner}/{@code members}
     * they are records the user may not read.
     */
    public Subscription subscribe(EntityListener listener) {
        Objects.requireNonNull(listener, "listener");
        return client.subscribe("entity:" + name, new SubscriptionListener() {
            @Override
            public void onPublication(Publication publication) {
                EntityChange change = EntityChange.from(publication);
                if (change == null) {
                    return;
                }
                if (change.kind() == EntityChange.Kind.REFRESH) {
                    listener.onReload();
                } else {
                    listener.onChange(change);
                }
            }

            @Override
            public void onSubscribed(SubscribedEvent event) {
                if (event.stateLost()) {
                    listener.onReload();
                }
            }

            @Override
            public void onError(TandemException error) {
                listener.onError(error);
            }
        });
    }

    private ObjectNode payload(String id) {
        ObjectNode payload = Frames.JSON.createObjectNode().put("collection", name);
        if (id != null) {
            payload.put("id", id);
        }
        return payload;
    }

    private CompletableFuture<EntityRecord> write(String type, ObjectNode payload) {
        ObjectNode command = Frames.command(type, null);
        command.set("payload", payload);
        return CollectionsHttp.translate(client.request(command)
                .thenApply(reply -> EntityRecord.from(reply.path("payload"))));
    }
}
