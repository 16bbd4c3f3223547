package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A thin client of the server HTTP API for back ends (docs/api.md): publish (single and batch), broadcast, list
 * channels, read history and acknowledgement lag, presence of a channel or a user, chat receipts and unread
 * counts, disconnect a user, revoke tokens, describe the node, and the live-record operations. Sends
 * {@code Authorization: apikey KEY} when a key is given; a non-2xx answer fails the future with a
 * {@link TandemException} carrying the server's error code, details and the HTTP status (a live record's
 * {@code conflict} with {@link EntityConflictException}).
 */
public final class ServerApiClient {
    private final HttpJson http;
    private final String authorization;
    private final CollectionsHttp collections;

    /** {@code base} is the server's HTTP root, e.g. {@code http://localhost:8080}; {@code apiKey} may be null. */
    public ServerApiClient(URI base, String apiKey) {
        this(base, apiKey, HttpClient.newHttpClient(), Duration.ofSeconds(10));
    }

    public ServerApiClient(URI base, String apiKey, HttpClient http, Duration timeout) {
        this.http = new HttpJson(http, base, timeout);
        this.authorization = apiKey == null ? null : "apikey " + apiKey;
        this.collections = new CollectionsHttp(this.http, () -> authorization);
    }

    /** One publication of {@link #publishBatch}. */
    public record Publish(String channel, JsonNode payload) {
        public Publish {
            Objects.requireNonNull(channel, "channel");
        }
    }

    /** {@code POST /api/publish}; completes with the seq assigned. */
    public CompletableFuture<Long> publish(String channel, JsonNode payload) {
        ObjectNode body = Frames.JSON.createObjectNode().put("channel", channel);
        body.set("payload", payload);
        return post("/api/publish", body).thenApply(reply -> reply.path("seq").asLong());
    }

    /**
     * {@code POST /api/publish/batch}: up to 1000 publications, published in order once all were validated (one
     * bad item refuses the whole batch); completes with the seq of each, in the same order.
     */
    public CompletableFuture<List<Long>> publishBatch(List<Publish> publications) {
        ObjectNode body = Frames.JSON.createObjectNode();
        ArrayNode items = body.putArray("publications");
        publications.forEach(p -> items.addObject().put("channel", p.channel()).set("payload", p.payload()));
        return post("/api/publish/batch", body).thenApply(reply -> {
            List<Long> seqs = new ArrayList<>();
            reply.path("results").forEach(r -> seqs.add(r.path("seq").asLong()));
            return List.copyOf(seqs);
        });
    }

    /** {@code POST /api/broadcast}: the same payload into each channel; the seq assigned in each, by channel. */
    public CompletableFuture<Map<String, Long>> broadcast(List<String> channels, JsonNode payload) {
        ObjectNode body = Frames.JSON.createObjectNode();
        channels.forEach(body.putArray("channels")::add);
        body.set("payload", payload);
        return post("/api/broadcast", body).thenApply(reply -> {
            Map<String, Long> seqs = new LinkedHashMap<>();
            reply.path("results").forEach(r -> seqs.put(r.path("channel").asText(), r.path("seq").asLong()));
            return seqs;
        });
    }

    /**
     * {@code POST /api/disconnect}: closes the user's connections on the node; {@code reconnect} false tells
     * clients not to come back. Completes with how many connections were closed.
     */
    public CompletableFuture<Integer> disconnectUser(String userId, boolean reconnect) {
        ObjectNode body = Frames.JSON.createObjectNode().put("userId", userId).put("reconnect", reconnect);
        return post("/api/disconnect", body).thenApply(reply -> reply.path("disconnected").asInt());
    }

    /**
     * {@code POST /api/tokens/revoke} by {@code jti}: the token is refused from now on, and connections that
     * used it are closed with 4001, until {@code expiresAt} (the token's {@code exp}; it is expired after that).
     */
    public CompletableFuture<Void> revokeToken(String jti, Instant expiresAt) {
        ObjectNode body = Frames.JSON.createObjectNode().put("jti", jti).put("expiresAt", expiresAt.getEpochSecond());
        return post("/api/tokens/revoke", body).thenApply(reply -> null);
    }

    /**
     * {@code POST /api/tokens/revoke} by user: every token of {@code userId} issued before {@code issuedBefore}
     * (by {@code iat}; tokens without one too) is refused, and connections that used one are closed with 4001.
     * The server keeps the revocation until {@code expiresAt}, or for good when it is null.
     */
    public CompletableFuture<Void> revokeUserTokens(String userId, Instant issuedBefore, Instant expiresAt) {
        ObjectNode body = Frames.JSON.createObjectNode().put("user", userId).put("issuedBefore", issuedBefore.getEpochSecond());
        if (expiresAt != null) {
            body.put("expiresAt", expiresAt.getEpochSecond());
        }
        return post("/api/tokens/revoke", body).thenApply(reply -> null);
    }

    /** {@code GET /api/channels}: active channels, most subscribed first. */
    public CompletableFuture<List<ChannelInfo>> channels() {
        return get("/api/channels").thenApply(reply -> {
            List<ChannelInfo> list = new ArrayList<>();
            for (JsonNode c : reply.path("channels")) {
                list.add(new ChannelInfo(c.path("channel").asText(), c.path("subscribers").asInt(),
                        c.path("seq").asLong(), c.path("epoch").asText(), c.path("history").asInt()));
            }
            return List.copyOf(list);
        });
    }

    /** {@code GET /api/channels/{channel}/history}. */
    public CompletableFuture<HistoryPage> history(String channel, HistoryQuery query) {
        return get(channelPath(channel, "/history?" + query.toQueryString())).thenApply(HistoryPage::from);
    }

    /**
     * {@code GET /api/channels/{channel}/acks}: per user, the last confirmed and delivered seq of an
     * {@code ack: required} channel, most behind first ({@code {channel, ackRequired, subscribers: [{userId,
     * acked, delivered, lag, redeliveries}]}}).
     */
    public CompletableFuture<JsonNode> acks(String channel) {
        return get(channelPath(channel, "/acks"));
    }

    /** {@code GET /api/presence/{channel}}: who is in the channel (counts only above its {@code syncLimit}). */
    public CompletableFuture<PresenceSnapshot> presence(String channel) {
        return get("/api/presence/" + encode(channel)).thenApply(reply -> {
            JsonNode counts = reply.path("counts");
            return new PresenceSnapshot(reply.path("channel").asText(channel),
                    new PresenceStats(counts.path("users").asLong(), counts.path("connections").asLong()),
                    PresenceMember.listOf(reply.get("users")), reply.has("users"));
        });
    }

    /** {@code GET /api/users/{user}/presence}: the user's status across channels. */
    public CompletableFuture<UserPresence> userPresence(String userId) {
        return get("/api/users/" + encode(userId) + "/presence").thenApply(reply -> {
            Map<String, PresenceStatus> channels = new LinkedHashMap<>();
            reply.path("channels").fields().forEachRemaining(e -> channels.put(e.getKey(), PresenceStatus.of(e.getValue().asText())));
            JsonNode lastSeen = reply.get("lastSeen");
            return new UserPresence(reply.path("id").asText(userId), PresenceStatus.of(reply.path("status").asText()),
                    lastSeen == null || lastSeen.isNull() ? null : lastSeen.asLong(), Map.copyOf(channels));
        });
    }

    /** {@code GET /api/channels/{channel}/receipts?seq=N}: who received and read a chat channel up to {@code seq}. */
    public CompletableFuture<ReceiptSummary> receipts(String channel, long seq) {
        return get(channelPath(channel, "/receipts?seq=" + seq)).thenApply(reply -> new ReceiptSummary(
                reply.path("channel").asText(channel), reply.path("seq").asLong(seq),
                reached(reply.path("delivered")), reached(reply.path("read"))));
    }

    /** {@code GET /api/users/{user}/unread}: per chat channel with a read position, others' unread messages. */
    public CompletableFuture<Map<String, Long>> unread(String userId) {
        return get("/api/users/" + encode(userId) + "/unread").thenApply(reply -> {
            Map<String, Long> counts = new LinkedHashMap<>();
            reply.path("channels").fields().forEachRemaining(e -> counts.put(e.getKey(), e.getValue().asLong()));
            return Map.copyOf(counts);
        });
    }

    /** {@code GET /api/info}: name, version, protocol, connections, channels. */
    public CompletableFuture<JsonNode> info() {
        return get("/api/info");
    }

    // ---- live records, as the server (passes every access rule; writes have updatedBy "server") ----

    /** {@code POST /api/collections/{c}}: creates a record ({@code id} null: the server assigns a UUID). */
    public CompletableFuture<EntityRecord> createRecord(String collection, String id, JsonNode data) {
        return collections.create(collection, id, data);
    }

    /** {@code GET /api/collections/{c}/{id}}. */
    public CompletableFuture<EntityRecord> getRecord(String collection, String id) {
        return collections.get(collection, id);
    }

    /** {@code GET /api/collections/{c}?...}: one page. */
    public CompletableFuture<EntityPage> listRecords(String collection, EntityQuery query) {
        return collections.list(collection, query);
    }

    /** Every record matching {@code query}, following the pages. */
    public CompletableFuture<List<EntityRecord>> listAllRecords(String collection, EntityQuery query) {
        return collections.listAll(collection, query);
    }

    /** {@code PUT /api/collections/{c}/{id}}: replaces the data of version {@code version}. */
    public CompletableFuture<EntityRecord> updateRecord(String collection, String id, long version, JsonNode data) {
        return collections.update(collection, id, version, data);
    }

    /** {@code PATCH /api/collections/{c}/{id}}: an RFC 7396 merge patch of version {@code baseVersion}'s data. */
    public CompletableFuture<EntityRecord> patchRecord(String collection, String id, long baseVersion, JsonNode patch) {
        return collections.patch(collection, id, baseVersion, patch);
    }

    /** {@code DELETE /api/collections/{c}/{id}}; {@code version} &lt;= 0 deletes whatever the current version. */
    public CompletableFuture<EntityRecord> deleteRecord(String collection, String id, long version) {
        return collections.delete(collection, id, version);
    }

    /** {@code POST /api/collections/{c}/refresh}: tells every client to reload; completes with the event's seq. */
    public CompletableFuture<Long> refreshCollection(String collection) {
        return collections.refresh(collection);
    }

    private CompletableFuture<JsonNode> get(String path) {
        return http.send("GET", path, null, authorization);
    }

    private CompletableFuture<JsonNode> post(String path, JsonNode body) {
        return http.send("POST", path, body, authorization);
    }

    private static ReceiptSummary.Reached reached(JsonNode node) {
        List<ChatUser> users = new ArrayList<>();
        node.path("users").forEach(u -> users.add(new ChatUser(u.path("userId").asText(), u.path("name").asText())));
        return new ReceiptSummary.Reached(node.path("count").asLong(), List.copyOf(users));
    }

    private static String channelPath(String channel, String rest) {
        return "/api/channels/" + encode(channel) + rest;
    }

    private static String encode(String segment) {
        return URLEncoder.encode(segment, StandardCharsets.UTF_8);
    }
}
