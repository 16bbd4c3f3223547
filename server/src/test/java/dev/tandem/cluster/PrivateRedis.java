package dev.tandem.cluster;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A {@code redis-server} of a test's own on a free port, which the test may stop, restart, freeze and thaw; the
 * shared Redis on 6379 that other tests use is never touched.
 */
public final class PrivateRedis implements AutoCloseable {
    private final int port;
    private Process process;

    private PrivateRedis(int port) throws IOException {
        this.port = port;
        launch();
    }

    /** Starts one on a free port and waits until it accepts connections. */
    public static PrivateRedis start() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        return new PrivateRedis(port);
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    /** Kills it (an outage: connections drop). */
    public void stop() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** Starts it again, empty, on the same port. */
    public void restart() throws IOException {
        launch();
    }

    /** Freezes it (SIGSTOP): connections stay open but nothing is answered, like a hung or swamped Redis. */
    public void freeze() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** Lets a frozen one run again (SIGCONT). */
    public void thaw() throws IOException, InterruptedException {
        signal("CONT");
    }

    @Override
    public void close() throws InterruptedException, IOException {
        if (process.isAlive()) {
            signal("CONT");
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private void launch() throws IOException {
        process = new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        await().atMost(Duration.ofSeconds(10)).until(this::accepts);
    }

    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill -" + name + " " + process.pid() + " failed");
        }
    }

    private boolean accepts() {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
