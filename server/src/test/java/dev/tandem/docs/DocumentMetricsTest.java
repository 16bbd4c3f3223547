package dev.tandem.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.YjsWsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The {@code tandem_documents_*} meters, scraped from {@code /metrics} of a real server while a real document is
 * edited, compacted and unloaded.
 */
class DocumentMetricsTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final RecordedHistory HISTORY = RecordedHistory.withAtLeast(8);

    private static double metric(TestServer server, String name) {
        String scrape = server.get("/metrics").body();
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(?:\\{[^}]*})? ([0-9.eE+-]+)$").matcher(scrape);
        assertThat(m.find()).as(name + " in /metrics").isTrue();
        return Double.parseDouble(m.group(1));
    }

    private static void put(TestServer server, String room, byte[] update) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/api/docs/" + room))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(update)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void openDocumentsUpdatesStoredBytesAndCompactionTimeAreScrapedFromMetrics() throws Exception {
        try (TestServer server = TestServer.start(Map.of("documents.compactAfter", "3", "documents.idleUnload", "300ms"))) {
            assertThat(metric(server, "tandem_documents_open")).isZero();
            assertThat(metric(server, "tandem_documents_updates_total")).isZero();

            YjsWsClient editor = YjsWsClient.connect(server, "measured");
            editor.next();
            assertThat(metric(server, "tandem_documents_open")).isEqualTo(1.0);
            long bytes = 0;
            for (byte[] update : HISTORY.updates()) {
                put(server, "measured", update);
                bytes += update.length;
            }
            long updateBytes = bytes;
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(metric(server, "tandem_documents_updates_total")).isEqualTo(HISTORY.updates().size());
                assertThat(metric(server, "tandem_documents_compaction_seconds_count")).isGreaterThanOrEqualTo(2.0);
                assertThat(metric(server, "tandem_documents_stored_bytes_total")).isGreaterThan(updateBytes);
            });
            assertThat(metric(server, "tandem_documents_compaction_seconds_sum")).isPositive();

            editor.abort();
            await().atMost(Duration.ofSeconds(20)).until(() -> metric(server, "tandem_documents_open") == 0.0);
        }
    }
}
