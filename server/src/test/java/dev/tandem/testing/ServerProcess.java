package dev.tandem.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A Tandem server in a child JVM, for what only a real process shows: signals (SIGTERM drain, SIGKILL crash)
 * and restarts. Started with the test classpath and {@code dev.tandem.cli.TandemCommand}; its output is kept
 * for assertions and failure messages.
 */
public final class ServerProcess implements AutoCloseable {
    private final Process process;
    private final int port;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final CompletableFuture<Void> listening = new CompletableFuture<>();

    private final Thread reader;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
        this.reader = new Thread(this::pump, "server-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code tandem [args...] --port P} and waits until it listens. */
    public static ServerProcess start(Path dataDir, String... args) throws Exception {
        return start(dataDir, Map.of(), args);
    }

    /** As {@link #start(Path, String...)}, with extra environment variables ({@code TANDEM_*}). */
    public static ServerProcess start(Path dataDir, Map<String, String> env, String... args) throws Exception {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // C1 only and the serial collector: a child starts in half the CPU time on a busy 2-core box.
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "dev.tandem.cli.TandemCommand"));
        command.addAll(List.of(args));
        command.addAll(List.of("--port", String.valueOf(port), "--data-dir", dataDir.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        // Like TestServer: lift the abuse limits so tests that publish fast are not rate limited.
        for (String key : List.of("COMMAND_RATE", "COMMAND_BURST", "CHANNEL_PUBLISH_RATE", "CHANNEL_PUBLISH_BURST")) {
            builder.environment().put("TANDEM_LIMITS_" + key, "1000000");
        }
        builder.environment().putAll(env);
        Process process = builder.start();
        ServerProcess server = new ServerProcess(process, port);
        try {
            server.listening.get(120, TimeUnit.SECONDS); // a loaded 2-core CI box can take that long
        } catch (TimeoutException | ExecutionException e) {
            server.close();
            throw new AssertionError("server did not start:\n" + String.join("\n", server.output()));
        }
        return server;
    }

    public int port() {
        return port;
    }

    public URI ws(String query) {
        return URI.create("ws://127.0.0.1:" + port + "/ws" + (query.isEmpty() ? "" : "?" + query));
    }

    public Process process() {
        return process;
    }

    /** Everything the process printed; once it has exited, waits until all of it is read. */
    public List<String> output() {
        if (!process.isAlive()) {
            try {
                reader.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return output;
    }

    /** SIGTERM, through the process handle: {@code Process.destroy} would also close our end of its output. */
    public void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL. */
    public void kill() {
        process.toHandle().destroyForcibly();
    }

    private void pump() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                output.add(line);
                if (line.contains("listening on")) {
                    listening.complete(null);
                }
            }
        } catch (IOException e) {
            output.add("[output closed: " + e + "]");
        }
        listening.completeExceptionally(new IllegalStateException("exited before listening")); // no-op once listening
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
