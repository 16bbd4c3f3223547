package dev.tandem.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.TestTokens;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class DemoAppTest {
    @Test
    void devModeServesTheDemoPageItsAssetsAndTheSdkAsEsModules() {
        try (TestServer server = TestServer.start()) {
            HttpResponse<String> page = server.get("/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
            assertThat(page.body()).contains("<script type=\"module\" src=\"/demo/app.js\">");

            HttpResponse<String> app = server.get("/demo/app.js");
            assertThat(app.statusCode()).isEqualTo(200);
            assertThat(app.body()).contains("from '/sdk/index.js'");

            HttpResponse<String> sdk = server.get("/sdk/index.js");
            assertThat(sdk.statusCode()).isEqualTo(200);
            assertThat(sdk.headers().firstValue("content-type")).hasValue("text/javascript; charset=utf-8");
            assertThat(sdk.body()).contains("export { TandemClient }");
            assertThat(server.get("/sdk/client.js").body()).contains("export class TandemClient");
        }
    }

    @Test
    void devModeServesTheTaskBoardPageAtBoard() {
        try (TestServer server = TestServer.start()) {
            HttpResponse<String> page = server.get("/board");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
            assertThat(page.body()).contains("<script type=\"module\" src=\"/demo/board.js\">");
            assertThat(server.get("/demo/board.js").body()).contains("client.collection(");
            assertThat(server.get("/sdk/collection.js").body()).contains("export class Collection");
        }
    }

    @Test
    void unknownFilesAndPathTraversalAreAnswered404WithAJsonError() {
        try (TestServer server = TestServer.start()) {
            for (String path : new String[] {"/sdk/missing.js", "/sdk/..%2Fpom.xml", "/demo/.hidden.js", "/sdk/a//b.js",
                    "/sdk/tandem-defaults.yaml", "/demo/"}) {
                HttpResponse<String> response = server.get(path);
                assertThat(response.statusCode()).as(path).isEqualTo(404);
                assertThat(response.body()).as(path).contains("\"code\":\"not_found\"");
            }
        }
    }

    @Test
    void theDemoIsNotServedOutsideDevMode() {
        try (TestServer server = TestServer.start(TestTokens.production())) {
            assertThat(server.get("/").statusCode()).isEqualTo(404);
            assertThat(server.get("/sdk/index.js").statusCode()).isEqualTo(404);
            assertThat(server.get("/board").statusCode()).isEqualTo(404);
        }
    }
}
