package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * JSON over the server's HTTP API, shared by {@link ServerApiClient} (API key) and {@link LiveCollection}
 * (the user's bearer token): one request, its JSON answer, and a non-2xx answer turned into a
 * {@link TandemException} with the server's code, message, details, HTTP status and retry hint.
 */
final class HttpJson {
    private final HttpClient http;
    private final URI base;
    private final Duration timeout;

    HttpJson(HttpClient http, URI base, Duration timeout) {
        String root = base.toString();
        this.http = Objects.requireNonNull(http, "http");
        this.base = URI.create(root.endsWith("/") ? root.substring(0, root.length() - 1) : root);
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** {@code method path} with a JSON body (null for none) and an {@code Authorization} value (null for none). */
    CompletableFuture<JsonNode> send(String method, String path, JsonNode body, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout)
                .header("Accept", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.toString()));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString())
                .handle((response, error) -> {
                    if (error != null) {
                        throw new TandemException(TandemException.TRANSPORT, String.valueOf(error.getMessage()), 0, error);
                    }
                    return parse(response);
                });
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
        JsonNode error = body == null ? null : body.get("error");
        if (error == null || !error.isObject()) {
            throw new TandemException("internal", "HTTP " + response.statusCode(), response.statusCode(), null,
                    retryAfterHeader(response));
        }
        throw TandemException.fromErrorPayload(error, response.statusCode(), retryAfterHeader(response));
    }

    /** {@code Retry-After} in seconds, when the server sent one. */
    private static Duration retryAfterHeader(HttpResponse<String> response) {
        return response.headers().firstValue("Retry-After").flatMap(v -> {
            try {
                return Optional.of(Duration.ofSeconds(Long.parseLong(v.trim())));
            } catch (NumberFormatException e) {
                return Optional.<Duration>empty();
            }
        }).orElse(null);
    }
}
