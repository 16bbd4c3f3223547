package dev.tandem.testing;

import dev.tandem.TandemServer;
import dev.tandem.config.ConfigLoader;
import dev.tandem.config.TandemConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Map;

/** A real Tandem server on a random loopback port, configured by dotted keys, for one test class or test. */
public final class TestServer implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final TandemServer server;

    private TestServer(TandemServer server) {
        this.server = server;
    }

    /**
     * Starts in dev mode on port 0 with a fresh data directory (so an embedded store starts empty);
     * {@code overrides} are config keys such as {@code limits.maxFrameBytes} or {@code dataDir}. Command and
     * publish rate limits are lifted so load tests do not trip them; tests of limits set their own.
     */
    public static TestServer start(Map<String, String> overrides) {
        return start(overrides, Clock.systemUTC());
    }

    /** {@link #start(Map)} with the clock the server uses for presence, message times, pacing and retention. */
    public static TestServer start(Map<String, String> overrides, Clock clock) {
        return new TestServer(TandemServer.start(config(overrides), clock));
    }

    /** The configuration {@link #start(Map)} would use, for tests of a component on its own. */
    public static TandemConfig config(Map<String, String> overrides) {
        ConfigLoader loader = ConfigLoader.defaults().set("port", "0").set("dev", "true")
                .set("dataDir", TestStore.freshDirectory().toString())
                .set("limits.commandRate", "1000000").set("limits.commandBurst", "1000000")
                .set("limits.channelPublishRate", "1000000").set("limits.channelPublishBurst", "1000000");
        // mvn verify -Dtandem.test.io=epoll (or io_uring, nio) runs every server test on that I/O engine.
        String io = System.getProperty("tandem.test.io");
        if (io != null) {
            loader.set("transports.io", io);
        }
        overrides.forEach(loader::set);
        return loader.load();
    }

    public static TestServer start() {
        return start(Map.of());
    }


    public TandemServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    public URI ws(String query) {
        return URI.create("ws://127.0.0.1:" + port() + "/ws" + (query.isEmpty() ? "" : "?" + query));
    }

    public WsClient connect() {
        return WsClient.connect(ws(""));
    }

    public WsClient connect(String user) {
        return WsClient.connect(ws("user=" + user));
    }

    /** Connects with {@code ?token=}. */
    public WsClient connectWithToken(String token) {
        return WsClient.connect(ws("token=" + token));
    }

    public HttpResponse<String> get(String path, String... headers) {
        return send(request(path, headers).GET().build());
    }

    public HttpResponse<String> post(String path, String body, String... headers) {
        return send(request(path, headers).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    /** The value of one series on {@code /metrics} (e.g. {@code tandem_circuit_state{breaker="store"}}), or -1 when absent. */
    public double metric(String series) {
        return get("/metrics").body().lines().filter(l -> l.startsWith(series + " "))
                .mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1))).findFirst().orElse(-1);
    }

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path));
        if (headers.length > 0) {
            builder.headers(headers);
        }
        return builder;
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
