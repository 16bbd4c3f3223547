package dev.tandem.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tandem.hub.Since;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A server process the generator measures from outside: Tandem from its jar, or a peer (Socket.IO on Node).
 * Reads CPU time and RSS from {@code /proc/<pid>}, and for Tandem the heap after a full GC from its own
 * {@code /metrics}, so every server is measured the same way whatever it runs on.
 */
final class ServerUnderTest implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Dialect dialect;
    private final Process process;
    private final int port;
    private final String healthPath;
    private final Path dataDir; // null for a peer
    /** The server's own output (warnings and worse); null for a peer. */
    private final Path log;

    private ServerUnderTest(String name, Dialect dialect, Process process, int port, String healthPath, Path dataDir,
                            Path log) {
        this.name = name;
        this.dialect = dialect;
        this.process = process;
        this.port = port;
        this.healthPath = healthPath;
        this.dataDir = dataDir;
        this.log = log;
    }

    /** Starts Tandem's jar in dev mode on a free port with an empty data dir. */
    static ServerUnderTest tandem(Path jar, List<String> jvmOptions) throws Exception {
        return tandem(jar, jvmOptions, Map.of());
    }

    /** As {@link #tandem(Path, List)}, with extra {@code TANDEM_*} environment (e.g. a PostgreSQL store). */
    static ServerUnderTest tandem(Path jar, List<String> jvmOptions, Map<String, String> environment) throws Exception {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalArgumentException("server jar not found: " + jar + " (run: mvn -q -DskipTests package)");
        }
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        Path dataDir = Files.createTempDirectory("tandem-bench");
        command.addAll(List.of("-jar", jar.toString(), "--port", String.valueOf(port), "--data-dir", dataDir.toString()));
        // Kept only when the server warned (see close): the one record of a run that went wrong.
        Path log = Files.createTempFile("tandem-bench-server-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().put("TANDEM_LOG_LEVEL", "WARN");
        builder.environment().put("TANDEM_LIMITS_MAX_SUBSCRIPTIONS_PER_CONNECTION", "100");
        // The bench measures delivery, not abuse protection: lift the per-connection and per-channel rate limits.
        for (String key : List.of("COMMAND_RATE", "COMMAND_BURST", "CHANNEL_PUBLISH_RATE", "CHANNEL_PUBLISH_BURST")) {
            builder.environment().put("TANDEM_LIMITS_" + key, "100000000");
        }
        builder.environment().putAll(environment);
        return started(new ServerUnderTest("tandem", Dialect.TANDEM, builder.start(), port, "/health/ready", dataDir, log));
    }

    /** Starts the Socket.IO peer ({@code bench/peers/socketio}), installing its npm packages on first use. */
    static ServerUnderTest socketIo(Path peerDir) throws Exception {
        return nodePeer(peerDir, "server.js", "socket.io", Dialect.SOCKET_IO, "/health");
    }

    /** Starts the Hocuspocus peer ({@code bench/peers/hocuspocus}), installing its npm packages on first use. */
    static ServerUnderTest hocuspocus(Path peerDir) throws Exception {
        return nodePeer(peerDir, "server.mjs", "hocuspocus", null, "/");
    }

    private static ServerUnderTest nodePeer(Path peerDir, String script, String name, Dialect dialect, String health)
            throws Exception {
        if (!Files.isDirectory(peerDir.resolve("node_modules"))) {
            Process install = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(peerDir.toFile())
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (install.waitFor() != 0) {
                throw new IllegalStateException("npm ci failed in " + peerDir);
            }
        }
        int port = freePort();
        Process process = new ProcessBuilder("node", script, String.valueOf(port)).directory(peerDir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return started(new ServerUnderTest(name, dialect, process, port, health, null, null));
    }

    private static ServerUnderTest started(ServerUnderTest server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!server.process.isAlive()) {
                throw new IllegalStateException(server.name + " exited with " + server.process.exitValue()
                        + (server.log == null ? "" : "; its output: " + server.log));
            }
            if (server.healthy()) {
                return server;
            }
            Thread.sleep(100);
        }
        server.close();
        throw new IllegalStateException(server.name + " did not become ready");
    }

    private boolean healthy() {
        try {
            return get(healthPath).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    String name() {
        return name;
    }

    Dialect dialect() {
        return dialect;
    }

    int port() {
        return port;
    }

    /** User + system CPU time the process has used so far. */
    long cpuNanos() throws IOException {
        return ProcessCpu.nanos(process.pid());
    }

    /**
     * Tandem only: frames written to clients and the socket writes (flushes) that carried them so far, from its
     * Prometheus metrics; their ratio shows how well writes are coalesced, however busy the machine is.
     */
    Optional<long[]> framesAndWrites() throws Exception {
        if (dialect != Dialect.TANDEM) {
            return Optional.empty();
        }
        long frames = 0;
        long writes = 0;
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith("tandem_frames_out_total")) {
                frames = (long) sampleValue(line);
            } else if (line.startsWith("tandem_socket_writes_total")) {
                writes = (long) sampleValue(line);
            }
        }
        return Optional.of(new long[] {frames, writes});
    }

    /** Tandem only: its JVM's GC pauses and JIT compile time so far, from its Prometheus metrics. */
    JvmTime jvmTime() throws Exception {
        if (dialect != Dialect.TANDEM) {
            throw new IllegalStateException(name + " has no JVM meters");
        }
        return JvmTime.parse(get("/metrics").body());
    }

    /** The value of one Prometheus sample line ({@code name{labels} value}). */
    static double sampleValue(String line) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
    }

    long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for " + process.pid());
    }

    /** Tandem only: runs a full GC in the server, then reads heap used outside eden from its Prometheus metrics. */
    OptionalLong heapAfterGc() throws Exception {
        if (dialect != Dialect.TANDEM) {
            return OptionalLong.empty();
        }
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        new ProcessBuilder(jcmd.toString(), String.valueOf(process.pid()), "GC.run")
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        Thread.sleep(300);
        long heap = 0;
        for (String line : get("/metrics").body().split("\n")) {
            // Eden is left out: right after a full GC it is empty, so what it holds by the time of this scrape
            // (300 ms later, and the scrape's own rendering) is new garbage, not what the connections keep.
            if (line.startsWith("jvm_memory_used_bytes{") && line.contains("area=\"heap\"") && !line.contains("Eden")) {
                heap += (long) sampleValue(line);
            }
        }
        return OptionalLong.of(heap);
    }

    /** Tandem only: each active channel's latest seq and epoch, from {@code /api/channels}. */
    Map<String, Since> channelPositions() throws Exception {
        Map<String, Since> positions = new HashMap<>();
        JsonNode channels = new ObjectMapper().readTree(get("/api/channels").body()).path("channels");
        for (JsonNode c : channels) {
            positions.put(c.path("channel").asText(), new Since(c.path("seq").asLong(), c.path("epoch").asText()));
        }
        return positions;
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        deleteDataDir();
        keepLogIfWarned();
    }

    private void keepLogIfWarned() {
        if (log == null) {
            return;
        }
        try {
            if (Files.size(log) == 0) {
                Files.delete(log);
            } else {
                System.err.println(name + " server logged warnings: " + log);
            }
        } catch (IOException e) {
            System.err.println("could not read " + log + ": " + e.getMessage());
        }
    }

    /** A durable run leaves gigabytes of H2 file behind; the next run starts from an empty directory anyway. */
    private void deleteDataDir() {
        if (dataDir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dataDir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            System.err.println("could not delete " + dataDir + ": " + e.getMessage());
        }
    }
}
