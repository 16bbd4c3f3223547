package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tandem.store.GzipNdjsonArchive;
import dev.tandem.store.StoredEvent;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keeps docs/openapi.yaml honest: every documented operation exists on a real server and answers as documented. */
class OpenApiDocumentTest {
    private static final Path SPEC = Path.of("..", "docs", "openapi.yaml");
    private static final long ARCHIVED_AT = 1_700_000_000_000L;
    private static final LocalDate ARCHIVED_DAY = Instant.ofEpochMilli(ARCHIVED_AT).atZone(ZoneOffset.UTC).toLocalDate();
    /** The smallest valid Yjs update (format v1): no structs, an empty delete set. */
    private static final String EMPTY_YJS_UPDATE = "\u0000\u0000";

    @Test
    void everyDocumentedOperationIsServedWithADocumentedStatus() throws Exception {
        assertThat(Files.exists(SPEC)).as("%s exists", SPEC.toAbsolutePath()).isTrue();
        JsonNode spec = new ObjectMapper(new YAMLFactory()).readTree(SPEC.toFile());
        List<String> checked = new ArrayList<>();
        Path dataDir = TestStore.freshDirectory();
        new GzipNdjsonArchive(dataDir.resolve("archive")).write("doc:check",
                List.of(new StoredEvent("doc:check", 1, "publication", null, "{}", null, null, ARCHIVED_AT)));
        try (TestServer server = TestServer.start(Map.of("api.key", "k", "admin.key", "k", "dataDir", dataDir.toString()))) {
            Iterator<Map.Entry<String, JsonNode>> paths = spec.path("paths").fields();
            while (paths.hasNext()) {
                Map.Entry<String, JsonNode> path = paths.next();
                Iterator<Map.Entry<String, JsonNode>> operations = path.getValue().fields();
                while (operations.hasNext()) {
                    Map.Entry<String, JsonNode> operation = operations.next();
                    String uri = path.getKey().replace("{channel}", "doc:check")
                            .replace("{collection}", "doccheck").replace("{id}", "doccheck1")
                            .replace("{user}", "doccheck-user").replace("{room}", "doccheck")
                            + (path.getKey().equals("/admin/api/history") ? "?channel=doc:check" : "")
                            + (path.getKey().endsWith("/receipts") ? "?seq=1" : "")
                            + (path.getKey().endsWith("/archive") ? "?day=" + ARCHIVED_DAY : "");
                    HttpResponse<String> response = send(server, operation.getKey(), uri, body(path.getKey(), operation.getKey()));
                    assertThat(operation.getValue().path("responses").has(String.valueOf(response.statusCode())))
                            .as("%s %s answered %s: %s", operation.getKey(), uri, response.statusCode(), response.body())
                            .isTrue();
                    assertThat(response.statusCode()).as("%s %s", operation.getKey(), uri).isBetween(200, 201);
                    checked.add(operation.getKey() + " " + path.getKey());
                }
            }
        }
        assertThat(checked).contains("post /api/publish", "post /api/publish/batch", "post /api/broadcast",
                "post /api/disconnect", "get /admin/api/stats", "get /health/ready",
                "post /api/collections/{collection}", "patch /api/collections/{collection}/{id}",
                "delete /api/collections/{collection}/{id}", "get /api/presence/{channel}",
                "get /api/users/{user}/presence", "get /api/channels/{channel}/receipts", "get /api/users/{user}/unread",
                "get /api/channels/{channel}/archive", "get /api/docs/{room}", "put /api/docs/{room}",
                "delete /api/docs/{room}", "post /api/tokens/revoke");
    }

    /** Runs one documented operation; the record operations run in file order on the record POST created. */
    private static HttpResponse<String> send(TestServer server, String method, String uri, String body) throws Exception {
        if (method.equals("get")) {
            return server.get(uri, "Authorization", "apikey k");
        }
        if (method.equals("post")) {
            return server.post(uri, body, "Authorization", "apikey k", "Content-Type", "application/json");
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + uri))
                .header("Authorization", "apikey k").header("Content-Type", "application/json")
                .method(method.toUpperCase(), body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String body(String path, String method) {
        if (path.startsWith("/api/collections/")) {
            return switch (method) {
                case "post" -> "{\"id\":\"doccheck1\",\"data\":{\"a\":1}}";
                case "put" -> "{\"version\":1,\"data\":{\"a\":2}}";
                case "patch" -> "{\"baseVersion\":2,\"patch\":{\"b\":1}}";
                default -> null;
            };
        }
        if (path.startsWith("/api/docs/")) {
            return method.equals("put") ? EMPTY_YJS_UPDATE : null;
        }
        return body(path);
    }

    private static String body(String path) {
        if (path.endsWith("/disconnect")) {
            return "{\"userId\":\"nobody\"}";
        }
        if (path.endsWith("/tokens/revoke")) {
            return "{\"jti\":\"doccheck\",\"expiresAt\":" + (Instant.now().getEpochSecond() + 3600) + "}";
        }
        if (path.endsWith("/batch")) {
            return "{\"publications\":[{\"channel\":\"doc:check\",\"payload\":{}}]}";
        }
        if (path.endsWith("/broadcast")) {
            return "{\"channels\":[\"doc:check\"],\"payload\":{}}";
        }
        return "{\"channel\":\"doc:check\",\"payload\":{}}";
    }
}
