package dev.tandem.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tandem.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keeps docs/openapi.yaml honest: every documented operation exists on a real server and answers as documented. */
class OpenApiDocumentTest {
    private static final Path SPEC = Path.of("..", "docs", "openapi.yaml");

    @Test
    void everyDocumentedOperationIsServedWithADocumentedStatus() throws Exception {
        assertThat(Files.exists(SPEC)).as("%s exists", SPEC.toAbsolutePath()).isTrue();
        JsonNode spec = new ObjectMapper(new YAMLFactory()).readTree(SPEC.toFile());
        List<String> checked = new ArrayList<>();
        try (TestServer server = TestServer.start(Map.of("api.key", "k", "admin.key", "k"))) {
            Iterator<Map.Entry<String, JsonNode>> paths = spec.path("paths").fields();
            while (paths.hasNext()) {
                Map.Entry<String, JsonNode> path = paths.next();
                Iterator<Map.Entry<String, JsonNode>> operations = path.getValue().fields();
                while (operations.hasNext()) {
                    Map.Entry<String, JsonNode> operation = operations.next();
                    String uri = path.getKey().replace("{channel}", "doc:check")
                            + (path.getKey().equals("/admin/api/history") ? "?channel=doc:check" : "");
                    HttpResponse<String> response = operation.getKey().equals("post")
                            ? server.post(uri, body(path.getKey()), "Authorization", "apikey k", "Content-Type", "application/json")
                            : server.get(uri, "Authorization", "apikey k");
                    assertThat(operation.getValue().path("responses").has(String.valueOf(response.statusCode())))
                            .as("%s %s answered %s: %s", operation.getKey(), uri, response.statusCode(), response.body())
                            .isTrue();
                    assertThat(response.statusCode()).as("%s %s", operation.getKey(), uri).isEqualTo(200);
                    checked.add(operation.getKey() + " " + path.getKey());
                }
            }
        }
        assertThat(checked).contains("post /api/publish", "post /api/publish/batch", "post /api/broadcast",
                "post /api/disconnect", "get /admin/api/stats", "get /health/ready");
    }

    private static String body(String path) {
        if (path.endsWith("/disconnect")) {
            return "{\"userId\":\"nobody\"}";
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
