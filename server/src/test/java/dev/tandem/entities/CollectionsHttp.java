package dev.tandem.entities;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.WsClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/** A real HTTP client for {@code /api/collections}, as one caller (a bearer token, or none for the API key / dev). */
final class CollectionsHttp {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final int port;
    private final String[] auth;

    private CollectionsHttp(int port, String[] auth) {
        this.port = port;
        this.auth = auth;
    }

    /** The back end (dev mode: no API key needed). */
    static CollectionsHttp server(int port) {
        return new CollectionsHttp(port, new String[0]);
    }

    static CollectionsHttp bearer(int port, String token) {
        return new CollectionsHttp(port, new String[] {"Authorization", "Bearer " + token});
    }

    /** One response: status and parsed JSON body. */
    record Reply(int status, JsonNode body) {
        JsonNode error() {
            return body.path("error");
        }
    }

    Reply get(String path) {
        return send("GET", path, null);
    }

    Reply post(String path, String body) {
        return send("POST", path, body);
    }

    Reply put(String path, String body, String... headers) {
        return send("PUT", path, body, headers);
    }

    Reply patch(String path, String body, String... headers) {
        return send("PATCH", path, body, headers);
    }

    Reply delete(String path, String... headers) {
        return send("DELETE", path, null, headers);
    }

    Reply send(String method, String path, String body, String... headers) {
        List<String> all = new ArrayList<>(List.of(auth));
        all.addAll(List.of(headers));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.replace('\'', '"')));
        if (!all.isEmpty()) {
            request.headers(all.toArray(String[]::new));
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), WsClient.JSON.readTree(response.body()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
