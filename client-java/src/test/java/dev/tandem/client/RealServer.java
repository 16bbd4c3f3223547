package dev.tandem.client;

import dev.tandem.TandemServer;
import dev.tandem.config.ConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** A real Tandem server in this JVM on a random loopback port, in dev mode, for SDK tests. */
final class RealServer implements AutoCloseable {
    private static final Backoff FAST = new Backoff(Duration.ofMillis(50), Duration.ofMillis(200));

    final TandemServer server;
    private final List<TandemClient> clients = new CopyOnWriteArrayList<>();

    private RealServer(TandemServer server) {
        this.server = server;
    }

    /** A server with its own fresh data directory (durable chat and live records go to its embedded H2). */
    static RealServer start(Map<String, String> overrides) {
        ConfigLoader loader = ConfigLoader.defaults().set("port", "0").set("dev", "true")
                .set("dataDir", freshDirectory().toString());
        overrides.forEach(loader::set);
        return new RealServer(TandemServer.start(loader.load()));
    }

    static RealServer start() {
        return start(Map.of());
    }

    private static Path freshDirectory() {
        try {
            Path dir = Files.createTempDirectory("tandem-client-test-");
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI ws() {
        return URI.create("ws://127.0.0.1:" + server.port() + "/ws");
    }

    URI http() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    /** A connected client of dev user {@code user} with a fast backoff, closed with the server. */
    TandemClient connect(String user) {
        return connect(TandemClient.builder(ws()).devUser(user).backoff(FAST));
    }

    TandemClient connect(TandemClient.Builder builder) {
        TandemClient client = builder.build();
        clients.add(client);
        client.connect().orTimeout(20, TimeUnit.SECONDS).join();
        return client;
    }

    @Override
    public void close() {
        clients.forEach(TandemClient::close);
        server.close();
    }
}
