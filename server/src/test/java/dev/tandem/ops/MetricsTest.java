package dev.tandem.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class MetricsTest {

    private static double value(String scrape, String series) {
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    @Test
    void publicationsAreCountedByConfiguredNamespaceAndOthersUnderDefault() {
        try (TestServer server = TestServer.start(Map.of("namespaces.news.historySize", "10"))) {
            server.server().hub().publish("news:general", WsClient.JSON.createObjectNode(), null);
            server.server().hub().publish("news:other", WsClient.JSON.createObjectNode(), null);
            server.server().hub().publish("made-up-namespace-1:x", WsClient.JSON.createObjectNode(), null);
            server.server().hub().publish("made-up-namespace-2:x", WsClient.JSON.createObjectNode(), null);
            server.server().hub().publish("plain", WsClient.JSON.createObjectNode(), null);

            String scrape = server.get("/metrics").body();
            assertThat(value(scrape, "tandem_publications_total{namespace=\"news\"}")).isEqualTo(2.0);
            assertThat(value(scrape, "tandem_publications_total{namespace=\"default\"}")).isEqualTo(3.0);
            assertThat(scrape).doesNotContain("made-up-namespace");
        }
    }

    @Test
    void garbageCollectionPausesAndJitCompileTimeAreScraped() {
        try (TestServer server = TestServer.start()) {
            System.gc();

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                String scrape = server.get("/metrics").body();
                assertThat(scrape).containsPattern("(?m)^jvm_gc_pause_seconds_count\\{action=\"[^\"]+\",cause=\"System.gc\\(\\)\",gc=\"[^\"]+\"\\} [1-9]");
                assertThat(scrape).containsPattern("(?m)^jvm_compilation_time_ms_total\\{compiler=\"[^\"]+\"\\} [1-9]");
            });
        }
    }

    @Test
    void deliveryLatencyIsAHistogramInSecondsFedByWrites() {
        try (TestServer server = TestServer.start()) {
            assertThat(server.server().metrics().deliveryLatencyMillis(0.99)).isNaN();
        }
        try (TestServer server = TestServer.start(); WsClient bob = server.connect("bob")) {
            bob.subscribe("room:latency");
            for (int i = 0; i < 20; i++) {
                server.server().hub().publish("room:latency", WsClient.JSON.createObjectNode().put("i", i), null);
                bob.nextOfType("publication");
            }

            String scrape = server.get("/metrics").body();
            // One sample per event-loop write pass, and passes may carry several publications.
            assertThat(value(scrape, "tandem_delivery_latency_seconds_count")).isBetween(1.0, 40.0);
            assertThat(scrape).contains("tandem_delivery_latency_seconds_bucket{le=\"+Inf\"}");
            assertThat(server.server().metrics().deliveryLatencyMillis(0.99)).isGreaterThan(0.0).isLessThan(5_000.0);
        }
    }

    @Test
    void refusalsAndDisconnectsAreCountedByCode() {
        try (TestServer server = TestServer.start(Map.of("limits.maxSubscriptionsPerConnection", "1"))) {
            try (WsClient alice = server.connect("alice")) {
                alice.subscribe("room:a");
                assertThat(alice.request(WsClient.command("subscribe").put("channel", "room:b"))
                        .path("payload").path("code").asText()).isEqualTo("limit_exceeded");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.server().sessions().size() == 0);

            String scrape = server.get("/metrics").body();
            assertThat(value(scrape, "tandem_error_frames_total{code=\"limit_exceeded\"}")).isEqualTo(1.0);
            assertThat(value(scrape, "tandem_error_frames_total{code=\"forbidden\"}")).isEqualTo(0.0);
            assertThat(value(scrape, "tandem_disconnects_total{code=\"1000\"}")).isEqualTo(1.0);
            assertThat(value(scrape, "tandem_disconnects_total{code=\"4008\"}")).isEqualTo(0.0);
        }
    }

    @Test
    void aSlowConsumerShowsAsADroppedFrameAndADisconnect() {
        Map<String, String> limits = Map.of("limits.outboundQueueFrames", "16", "limits.outboundQueueBytes", "65536");
        try (TestServer server = TestServer.start(limits)) {
            WsClient stalled = WsClient.paused(server.ws("user=stalled"));
            stalled.connected();
            stalled.send(WsClient.command("subscribe").put("channel", "room:flood"));
            await().until(() -> server.server().hub().channels().stream().anyMatch(c -> c.subscribers() == 1));
            String filler = "x".repeat(4000);
            for (int i = 0; i < 50_000 && server.server().metrics().slowConsumerDisconnects().count() == 0; i++) {
                server.server().hub().publish("room:flood", WsClient.JSON.createObjectNode().put("f", filler), null);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> server.server().sessions().size() == 0);

            String scrape = server.get("/metrics").body();
            assertThat(value(scrape, "tandem_slow_consumer_disconnects_total")).isEqualTo(1.0);
            assertThat(value(scrape, "tandem_dropped_frames_total{reason=\"queue_full\"}")).isEqualTo(1.0);
            assertThat(value(scrape, "tandem_dropped_frames_total{reason=\"closed\"}")).isGreaterThan(0.0);
            assertThat(value(scrape, "tandem_disconnects_total{code=\"4008\"}")).isEqualTo(1.0);
            assertThat(value(scrape, "tandem_outbound_queue_bytes")).isEqualTo(0.0);
            stalled.abort();
        }
    }

    @Test
    void durableWritesRecordBatchSizeAndCommitLatency() {
        try (TestServer server = TestServer.start(Map.of("namespaces.ledger.history", "durable"))) {
            for (int i = 0; i < 5; i++) {
                server.server().hub().publishAsync("ledger:a", WsClient.JSON.createObjectNode().put("i", i), null, 0).join();
            }

            String scrape = server.get("/metrics").body();
            double batches = value(scrape, "tandem_store_batch_size_count");
            assertThat(batches).isBetween(1.0, 5.0);
            assertThat(value(scrape, "tandem_store_batch_size_sum")).isEqualTo(5.0);
            assertThat(value(scrape, "tandem_store_commit_latency_seconds_count")).isEqualTo(batches);
            assertThat(value(scrape, "tandem_store_commit_latency_seconds_sum")).isPositive();
        }
    }

    @Test
    void theH2FileSizeAndChunkFillAreScrapedOnceHousekeepingHasRun() {
        try (TestServer server = TestServer.start(Map.of())) {
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> server.get("/metrics").body().contains("tandem_store_file_size_bytes"));

            String scrape = server.get("/metrics").body();
            assertThat(value(scrape, "tandem_store_file_size_bytes")).isPositive();
            assertThat(value(scrape, "tandem_store_chunks_fill_percent")).isBetween(0.0, 100.0);
        }
    }

    @Test
    void presenceEntriesAndEventsAreCounted() {
        // One frame per event: batched, bob's join and leave would be one net leave.
        try (TestServer server = TestServer.start(Map.of("namespaces.room.presence.batchWindow", "0"));
             WsClient ann = server.connect("ann"); WsClient bob = server.connect("bob")) {
            for (WsClient client : new WsClient[] {ann, bob}) {
                client.subscribe("room:metrics");
                client.request(WsClient.command("presence:join").put("channel", "room:metrics"));
            }
            bob.send(WsClient.command("presence:leave").put("channel", "room:metrics"));
            ann.next(f -> "presence:leave".equals(f.path("type").asText()), "bob's leave");

            String scrape = server.get("/metrics").body();
            assertThat(value(scrape, "tandem_presence_entries")).isEqualTo(1.0);
            assertThat(value(scrape, "tandem_presence_events_total{type=\"join\"}")).isEqualTo(2.0);
            assertThat(value(scrape, "tandem_presence_events_total{type=\"leave\"}")).isEqualTo(1.0);
            assertThat(value(scrape, "tandem_presence_expired_total")).isZero();
        }
    }

    @Test
    void batchedPresenceEventsAreCountedAsDiffs() {
        try (TestServer server = TestServer.start(Map.of("namespaces.room.presence.batchWindow", "300ms"));
             WsClient ann = server.connect("ann"); WsClient bob = server.connect("bob");
             WsClient cid = server.connect("cid")) {
            for (WsClient client : new WsClient[] {ann, bob, cid}) {
                client.subscribe("room:metrics");
                client.request(WsClient.command("presence:join").put("channel", "room:metrics"));
            }
            ann.next(f -> "presence:diff".equals(f.path("type").asText()), "the diff of bob's and cid's joins");

            String scrape = server.get("/metrics").body();
            assertThat(value(scrape, "tandem_presence_events_total{type=\"join\"}")).isEqualTo(1.0);
            assertThat(value(scrape, "tandem_presence_events_total{type=\"diff\"}")).isEqualTo(1.0);
        }
    }
}
