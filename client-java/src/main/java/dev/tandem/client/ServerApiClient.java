package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A thin client of the server HTTP API for back ends: publish, broadcast, list channels, read history,
 * disconnect a user, describe the node. Sends {@code Authorization: apikey KEY} when a key is given; a non-2xx answer fails the future with a
 * {@link TandemException} carrying the server's error code and the HTTP status.
 */
public final class ServerApiClient {
    private final URI base;
    private final String apiKey;
    private final HttpClient http;
    private final Duration timeout;

    /** {@code base} is the server's HTTP root, e.g. {@code http://localhost:8080}; {@code apiKey} may be null. */
    public ServerApiClient(URI base, String apiKey) {
        this(base, apiKey, HttpClient.newHttpClient(), Duration.ofSeconds(10));
    }

    public ServerApiClient(URI base, String apiKey, HttpClient http, Duration timeout) {
        String root = base.toString();
        this.base = URI.create(root.endsWith("/") ? root.substring(0, root.length() - 1) : root);
        this.apiKey = apiKey;
        this.http = Objects.requireNonNull(http, "http");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** {@code POST /api/publish}; completes with the seq assigned. */
    public CompletableFuture<Long> publish(String channel, JsonNode payload) {
        ObjectNode body = Frames.JSON.createObjectNode().put("channel", channel);
        body.set("payload", payload);
        return send(request("/api/publish").POST(HttpRequest.BodyPublishers.ofString(body.toString())))
                .thenApply(reply -> reply.path("seq").asLong());
    }

    /** {@code POST /api/broadcast}: the same payload into each channel; the seq assigned in each, by channel. */
    public CompletableFuture<Map<String, Long>> broadcast(List<String> channels, JsonNode payload) {
        ObjectNode body = Frames.JSON.createObjectNode();
        channels.forEach(body.putArray("channels")::add);
        body.set("payload", payload);
        return send(request("/api/broadcast").POST(HttpRequest.BodyPublishers.ofString(body.toString())))
                .thenApply(reply -> {
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
        return send(request("/api/disconnect").POST(HttpRequest.BodyPublishers.ofString(body.toString())))
                .thenApply(reply -> reply.path("disconnected").asInt());
    }

    /** {@code GET /api/channels}: active channels, most subscribed first. */
    public CompletableFuture<List<ChannelInfo>> channels() {
        return send(request("/api/channels").GET()).thenApply(reply -> {
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
        String path = "/api/channels/" + URLEncoder.encode(channel, StandardCharsets.UTF_8) + "/history?"
                + query.toQueryString();
        return send(request(path).GET()).thenApply(HistoryPage::from);
    }

    /** {@code GET /api/info}: name, version, protocol, connections, channels. */
    public CompletableFuture<JsonNode> info() {
        return send(request("/api/info").GET());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Content-Type", "application/json");
        if (apiKey != null) {
            builder.header("Authorization", "apikey " + apiKey);
        }
        return builder;
    }

    private CompletableFuture<JsonNode> send(HttpRequest.Builder request) {
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> {
                    if (error != null) {
                        throw new TandemException(TandemException.TRANSPORT, String.valueOf(error.getMessage()), 0, error);
                    }
                    return parse(response);
                });
    }

    /** {@code Retry-After} (seconds) or the body's {@code retryAfter} (ms), when the server gave either. */
    private static Duration retryAfter(HttpResponse<String> response, JsonNode error) {
        if (error != null && error.path("retryAfter").canConvertToLong()) {
            return Duration.ofMillis(error.path("retryAfter").asLong());
        }
        return response.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return java.util.Optional.of(Duration.ofSeconds(Long.parseLong(v.trim())));
            } catch (NumberFormatException e) {
                return java.util.Optional.empty();
            }
        }).orElse(null);
    }

    private static JsonNode parse(HttpResponse<String> response) {
        JsonNode body;
        try {
            body = Frames.JSON.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        if (response.statusCode() / 100 == 2 && body != null) {
            return body;
        }
        JsonNode error = body == null ? null : body.path("error");
        String code = error == null ? "internal" : error.path("code").asText("internal");
        String message = error == null ? "HTTP " + response.statusCode() : error.path("message").asText();
        throw new TandemException(code, message, response.statusCode(), null, retryAfter(response, error));
    }
}
