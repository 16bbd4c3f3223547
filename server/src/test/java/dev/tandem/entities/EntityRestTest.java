package dev.tandem.entities;

import static dev.tandem.entities.EntityFrames.json;
import static dev.tandem.entities.EntityFrames.nextEvent;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestStore;
import dev.tandem.testing.TestTokens;
import dev.tandem.testing.WsClient;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code /api/collections} over real HTTP, on both stores. */
class EntityRestTest {

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void recordsGoThroughTheirLifecycleWithVersionsChecked(TestStore store) {
        try (TestServer server = TestServer.start(store.fresh())) {
            CollectionsHttp http = CollectionsHttp.server(server.port());
            CollectionsHttp.Reply created = http.post("/api/collections/invoices", "{'id':'inv1','data':{'total':40,'status':'open'}}");
            assertThat(created.status()).isEqualTo(201);
            assertThat(created.body().path("version").asLong()).isEqualTo(1);
            assertThat(created.body().path("updatedBy").asText()).isEqualTo("server");
            assertThat(http.get("/api/collections/invoices/inv1").body()).isEqualTo(created.body());

            CollectionsHttp.Reply put = http.put("/api/collections/invoices/inv1", "{'data':{'total':41,'status':'open'}}",
                    "If-Match", "\"1\"");
            assertThat(put.status()).isEqualTo(200);
            assertThat(put.body().path("version").asLong()).isEqualTo(2);

            CollectionsHttp.Reply stale = http.put("/api/collections/invoices/inv1", "{'version':1,'data':{'total':1}}");
            assertThat(stale.status()).isEqualTo(409);
            assertThat(stale.error().path("code").asText()).isEqualTo("conflict");
            assertThat(stale.error().path("details").path("current")).isEqualTo(put.body());

            CollectionsHttp.Reply patched = http.patch("/api/collections/invoices/inv1", "{'status':'paid'}",
                    "Content-Type", "application/merge-patch+json", "If-Match", "2");
            assertThat(patched.status()).isEqualTo(200);
            assertThat(patched.body().path("data")).isEqualTo(json("{'total':41,'status':'paid'}"));
            CollectionsHttp.Reply patchedAgain = http.patch("/api/collections/invoices/inv1", "{'baseVersion':3,'patch':{'note':'x'}}");
            assertThat(patchedAgain.body().path("version").asLong()).isEqualTo(4);

            assertThat(http.delete("/api/collections/invoices/inv1?version=3").status()).isEqualTo(409);
            assertThat(http.delete("/api/collections/invoices/inv1?version=4").status()).isEqualTo(200);
            CollectionsHttp.Reply gone = http.get("/api/collections/invoices/inv1");
            assertThat(gone.status()).isEqualTo(404);
            assertThat(gone.error().path("code").asText()).isEqualTo("not_found");
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void listingFiltersByFieldEqualitySortsAndPagesWithACursor(TestStore store) {
        try (TestServer server = TestServer.start(store.fresh())) {
            CollectionsHttp http = CollectionsHttp.server(server.port());
            for (int i = 0; i < 25; i++) {
                String status = i % 2 == 0 ? "open" : "paid";
                http.post("/api/collections/invoices", "{'id':'inv" + (100 + i) + "','data':{'status':'" + status + "','n':" + i + "}}");
            }
            List<String> ids = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                CollectionsHttp.Reply page = http.get("/api/collections/invoices?status=open&limit=5&sort=-id"
                        + (cursor == null ? "" : "&cursor=" + cursor));
                assertThat(page.status()).isEqualTo(200);
                page.body().path("records").forEach(r -> ids.add(r.path("id").asText()));
                cursor = page.body().path("next").isNull() ? null : page.body().path("next").asText();
                pages++;
            } while (cursor != null);
            List<String> expected = new ArrayList<>();
            for (int i = 24; i >= 0; i -= 2) {
                expected.add("inv" + (100 + i));
            }
            assertThat(ids).isEqualTo(expected);
            assertThat(pages).isBetween(3, 4);
            CollectionsHttp.Reply byNumber = http.get("/api/collections/invoices?n=7");
            assertThat(byNumber.body().path("records")).hasSize(1);
            CollectionsHttp.Reply byCreation = http.get("/api/collections/invoices?sort=createdAt&limit=3");
            assertThat(byCreation.body().path("records").get(0).path("id").asText()).isEqualTo("inv100");
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void refreshEmitsAnEntityRefreshEventOnTheCollectionChannel(TestStore store) {
        try (TestServer server = TestServer.start(store.fresh()); WsClient watcher = server.connect("watcher")) {
            watcher.subscribe("entity:invoices");
            CollectionsHttp.Reply refresh = CollectionsHttp.server(server.port()).post("/api/collections/invoices/refresh", "");
            assertThat(refresh.status()).isEqualTo(200);
            JsonNode event = nextEvent(watcher, "entity:invoices");
            assertThat(event.path("seq").asLong()).isEqualTo(refresh.body().path("seq").asLong());
            assertThat(event.path("payload")).isEqualTo(json("{'type':'entity:refresh','collection':'invoices'}"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void aRecordNearTheDocumentLimitIsStoredWithItsEvent(TestStore store) {
        try (TestServer server = TestServer.start(store.fresh())) {
            CollectionsHttp http = CollectionsHttp.server(server.port());
            String text = "x".repeat(1_000_000);
            CollectionsHttp.Reply created = http.post("/api/collections/big", "{'id':'b','data':{'text':'" + text + "'}}");
            assertThat(created.status()).isEqualTo(201);
            assertThat(http.get("/api/collections/big/b").body().path("data").path("text").asText()).hasSize(1_000_000);
            try (WsClient reader = server.connect("reader")) {
                JsonNode history = reader.request(WsClient.command("history").put("channel", "entity:big:b").put("after", 0));
                assertThat(history.path("payload").path("publications").get(0).path("payload").path("record").path("data")
                        .path("text").asText()).hasSize(1_000_000);
            }
        }
    }

    @Test
    void badInputGetsA4xxWithCodeAndMessage() {
        Map<String, String> config = new HashMap<>(TestStore.H2.fresh());
        config.put("entities.maxDocumentBytes", "1000");
        try (TestServer server = TestServer.start(config)) {
            CollectionsHttp http = CollectionsHttp.server(server.port());
            assertBad(http.send("POST", "/api/collections/c", "{not json"), 400, "bad_request");
            assertBad(http.post("/api/collections/c", "{'id':5,'data':{}}"), 400, "bad_request");
            assertBad(http.post("/api/collections/c", "{'data':[1]}"), 400, "bad_request");
            assertBad(http.post("/api/collections/c", "{'data':{'big':'" + "x".repeat(1200) + "'}}"), 413, "too_large");
            http.post("/api/collections/c", "{'id':'a','data':{}}");
            assertBad(http.put("/api/collections/c/a", "{'version':'one','data':{}}"), 400, "bad_request");
            assertBad(http.put("/api/collections/c/a", "{'data':{}}", "If-Match", "\"x\""), 400, "bad_request");
            assertBad(http.put("/api/collections/c/a", "{'data':{}}"), 400, "bad_request");
            assertBad(http.patch("/api/collections/c/a", "{'patch':{}}"), 400, "bad_request");
            assertBad(http.get("/api/collections/c?sort=title"), 400, "bad_request");
            assertBad(http.get("/api/collections/c?cursor=!!!"), 400, "bad_request");
            assertBad(http.get("/api/collections/c/a/b/c"), 404, "not_found");
            assertBad(http.get("/api/collections/bad:name"), 400, "bad_request");
        }
    }

    @Test
    void anUnknownCollectionIsNotFoundInProduction() {
        Map<String, String> config = new HashMap<>(TestTokens.production());
        config.putAll(TestStore.H2.fresh());
        config.put("collections.known.conflict", "reject");
        try (TestServer server = TestServer.start(config)) {
            CollectionsHttp alice = CollectionsHttp.bearer(server.port(), TestTokens.forUser("alice"));
            assertBad(alice.post("/api/collections/unknown", "{'data':{}}"), 404, "not_found");
            assertBad(alice.get("/api/collections/unknown"), 404, "not_found");
            assertThat(alice.post("/api/collections/known", "{'data':{}}").status()).isEqualTo(201);
            assertBad(CollectionsHttp.server(server.port()).get("/api/collections/known"), 401, "unauthorized");
        }
    }

    @Test
    void dataThatBreaksTheCollectionSchemaIs422WithTheViolations() throws Exception {
        java.nio.file.Path schema = TestStore.freshDirectory().resolve("invoice.schema.json");
        java.nio.file.Files.writeString(schema, "{\"type\":\"object\",\"required\":[\"total\"],"
                + "\"properties\":{\"total\":{\"type\":\"number\",\"minimum\":0}}}");
        Map<String, String> config = new HashMap<>(TestStore.H2.fresh());
        config.put("collections.invoices.schema", schema.toString());
        try (TestServer server = TestServer.start(config)) {
            CollectionsHttp http = CollectionsHttp.server(server.port());
            CollectionsHttp.Reply missing = http.post("/api/collections/invoices", "{'id':'i','data':{'total':'ten'}}");
            assertBad(missing, 422, "invalid");
            assertThat(missing.error().path("details").path("errors").get(0).path("path").asText()).contains("total");
            assertThat(http.post("/api/collections/invoices", "{'id':'i','data':{'total':10}}").status()).isEqualTo(201);
            assertBad(http.patch("/api/collections/invoices/i", "{'baseVersion':1,'patch':{'total':null}}"), 422, "invalid");
            assertThat(http.get("/api/collections/invoices/i").body().path("version").asLong()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(TestStore.class)
    void concurrentRestUpdatesOfOneVersionLetExactlyOneThrough(TestStore store) {
        try (TestServer server = TestServer.start(store.fresh())) {
            CollectionsHttp http = CollectionsHttp.server(server.port());
            http.post("/api/collections/c", "{'id':'x','data':{'n':0}}");
            List<CompletableFuture<CollectionsHttp.Reply>> puts = new ArrayList<>();
            for (int i = 1; i <= 8; i++) {
                String body = "{'version':1,'data':{'n':" + i + "}}";
                puts.add(CompletableFuture.supplyAsync(() -> http.put("/api/collections/c/x", body)));
            }
            List<Integer> statuses = puts.stream().map(f -> f.join().status()).toList();
            assertThat(statuses).containsOnly(200, 409);
            assertThat(statuses.stream().filter(s -> s == 200)).hasSize(1);
        }
    }

    private static void assertBad(CollectionsHttp.Reply reply, int status, String code) {
        assertThat(reply.status()).as(reply.body().toString()).isEqualTo(status);
        assertThat(reply.error().path("code").asText()).isEqualTo(code);
        assertThat(reply.error().path("message").asText()).isNotEmpty();
    }
}
