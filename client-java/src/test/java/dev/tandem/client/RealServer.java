package dev.tandem.client;

import dev.tandem.TandemServer;
import dev.tandem.config.ConfigLoader;
import java.net.URI;
import java.util.Map;

/** A real Tandem server in this JVM on a random loopback port, in dev mode, for SDK tests. */
final class RealServer implements AutoCloseable {
    final TandemServer server;

    private RealServer(TandemServer server) {
        this.server = server;
    }

    static RealServer start(Map<String, String> overrides) {
        ConfigLoader loader = ConfigLoader.defaults().set("port", "0").set("dev", "true");
        overrides.forEach(loader::set);
        return new RealServer(TandemServer.start(loader.load()));
    }

    static RealServer start() {
        return start(Map.of());
    }

    URI ws() {
        return URI.create("ws://127.0.0.1:" + server.port() + "/ws");
    }

    URI http() {
        return URI.create("http://127.0.0.1:" + server.port());
    }

    @Override
    public void close() {
        server.close();
    }
}
