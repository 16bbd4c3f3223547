package dev.tandem.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.testing.TestServer;
import dev.tandem.testing.WsClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Loads the dashboard in a real headless Chromium against a real server: the page's scripts run, poll the
 * admin API, draw uPlot charts and fill the tables. The DOM after the scripts ran is asserted, and a
 * screenshot is left in {@code target/admin-dashboard.png} for CI artifacts. Chromium is found at
 * {@code -Dtandem.chromium} (default {@code /usr/bin/chromium}; {@code .ci/run} installs it).
 */
class AdminPageBrowserTest {
    private static final String KEY = "browser-" + System.nanoTime();

    @TempDir
    Path profile;

    @Test
    void theDashboardRendersLiveChartsAndTablesInHeadlessChromium() throws Exception {
        Path chromium = Path.of(System.getProperty("tandem.chromium", "/usr/bin/chromium"));
        assertThat(Files.isExecutable(chromium))
                .as("headless Chromium is needed at %s: apt-get install -y chromium, or set -Dtandem.chromium", chromium)
                .isTrue();
        try (TestServer server = TestServer.start(Map.of("admin.key", KEY));
             WsClient alice = server.connect("browser-alice");
             WsClient bob = server.connect("browser-bob")) {
            bob.subscribe("browser:room");
            alice.subscribe("browser:room");
            alice.publish("browser:room", WsClient.JSON.createObjectNode().put("x", 1));
            bob.nextOfType("publication");
            try (WsClient gone = server.connect("browser-gone")) {
                gone.connected();
            }
            // The page reads the key from sessionStorage; a tiny same-origin bootstrap page is not possible
            // from the command line, so the key goes in through the URL fragment the page accepts.
            String url = "http://127.0.0.1:" + server.port() + "/admin#key=" + KEY;
            Path screenshot = Path.of("target", "admin-dashboard.png").toAbsolutePath();
            String dom = run(chromium, "--dump-dom", url);
            run(chromium, "--screenshot=" + screenshot, url);

            assertThat(dom).contains("class=\"uplot");
            assertThat(count(dom, "<canvas")).isGreaterThanOrEqualTo(5);
            assertThat(dom).containsPattern("id=\"t-connections\" class=\"value\">[1-9]");
            assertThat(dom).contains("<td title=\"browser:room\">browser:room</td>");
            assertThat(dom).contains("<td title=\"browser-gone\">browser-gone</td>");
            assertThat(dom).contains("live · updated");
            assertThat(dom).contains("<td title=\"" + server.server().nodeId() + " (this node)\">");
            assertThat(Files.size(screenshot)).isGreaterThan(10_000);
        }
    }

    private String run(Path chromium, String mode, String url) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-dev-shm-usage", "--no-first-run",
                "--user-data-dir=" + profile, "--window-size=1400,1200", "--virtual-time-budget=8000", mode, url));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("chromium finished").isTrue();
        return new String(out, StandardCharsets.UTF_8);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}
