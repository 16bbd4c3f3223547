package dev.tandem.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Node script of an interop project under {@code server/src/test/js/<project>} (with its package.json and
 * package-lock.json): {@link #install} runs {@code npm ci} once when {@code node_modules} is missing, {@link #run}
 * runs the script and fails the test, with the script's output, when it exits non-zero or times out.
 */
public final class NodeScript {
    private static final long TIMEOUT_SECONDS = 180;

    private final Path dir;
    private final String script;

    private NodeScript(Path dir, String script) {
        this.dir = dir;
        this.script = script;
    }

    public static NodeScript of(String project, String script) {
        return new NodeScript(Path.of("src/test/js", project).toAbsolutePath(), script);
    }

    public synchronized void install() {
        if (Files.isDirectory(dir.resolve("node_modules"))) {
            return;
        }
        exec(List.of("npm", "ci", "--no-audit", "--no-fund"), 600);
    }

    /** Runs {@code node SCRIPT args...}; returns its output. */
    public String run(Object... args) {
        List<String> command = new ArrayList<>(List.of("node", script));
        for (Object a : args) {
            command.add(String.valueOf(a));
        }
        return exec(command, TIMEOUT_SECONDS);
    }

    private String exec(List<String> command, long timeoutSeconds) {
        try {
            Path log = Files.createTempFile("node-", ".log");
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
            if (!finished) {
                p.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.deleteIfExists(log);
            if (!finished) {
                fail(String.join(" ", command) + " timed out after " + timeoutSeconds + " s:\n" + output);
            }
            assertThat(p.exitValue()).as(String.join(" ", command) + " failed:\n" + output).isZero();
            return output;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + " in " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
