package dev.tandem.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The {@code client-js} package as the server's tests see it: installs its devDependencies with {@code npm ci}
 * (once, and again only when package-lock.json changes) and runs {@code node} in it, echoing the output into
 * the test log so a failing JavaScript test reads like any other failure.
 */
public final class ClientJsProject {
    public static final Path DIR = Path.of("..", "client-js").toAbsolutePath().normalize();

    /** The output and exit code of one finished node run. */
    public record Run(int exitCode, List<String> output) {
        public String tail(int lines) {
            return String.join("\n", output.subList(Math.max(0, output.size() - lines), output.size()));
        }

        /**
         * The TAP blocks of the failed tests ({@code not ok} up to the next test), then the tail: a suite of 60 tests
         * that fails in one shows that one, wherever it ran.
         */
        public String failureReport(int tailLines) {
            List<String> failed = new ArrayList<>();
            boolean inFailure = false;
            for (String line : output) {
                if (line.startsWith("not ok ")) {
                    inFailure = true;
                } else if (line.startsWith("ok ") || line.startsWith("# Subtest:")) {
                    inFailure = false;
                }
                if (inFailure) {
                    failed.add(line);
                }
            }
            return "failed tests:\n" + String.join("\n", failed) + "\nlast output:\n" + tail(tailLines);
        }
    }

    private ClientJsProject() {
    }

    /** Runs {@code npm ci} unless node_modules already matches package-lock.json. */
    public static synchronized void install() {
        Path lock = DIR.resolve("package-lock.json");
        Path installed = DIR.resolve("node_modules/.package-lock.json");
        try {
            if (Files.exists(installed) && Files.getLastModifiedTime(installed).compareTo(Files.getLastModifiedTime(lock)) >= 0) {
                return;
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Run run = run(Map.of(), Duration.ofMinutes(5), "npm", "ci", "--no-audit", "--no-fund");
        if (run.exitCode() != 0) {
            throw new IllegalStateException("npm ci failed in " + DIR + ":\n" + run.tail(40));
        }
    }

    /** The {@code *.test.js} files of a folder of the package, sorted, as paths relative to the package. */
    public static List<String> testFiles(String folder) {
        try (Stream<Path> files = Files.list(DIR.resolve(folder))) {
            return files.map(p -> folder + "/" + p.getFileName()).filter(name -> name.endsWith(".test.js")).sorted().toList();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs {@code command} in the package with extra environment variables; kills it after {@code timeout}. */
    public static Run run(Map<String, String> env, Duration timeout, String... command) {
        return run(env, timeout, List.of(command));
    }

    public static Run run(Map<String, String> env, Duration timeout, List<String> command) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true);
        builder.environment().putAll(env);
        List<String> output = new ArrayList<>();
        try {
            Process process = builder.start();
            Thread pump = new Thread(() -> pump(process, output), "node-output");
            pump.start();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly().waitFor();
                pump.join(5000);
                synchronized (output) {
                    output.add(command + " did not finish within " + timeout);
                    return new Run(-1, List.copyOf(output));
                }
            }
            pump.join(5000);
            synchronized (output) {
                return new Run(process.exitValue(), List.copyOf(output));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + command + " in " + DIR + " (are node and npm installed?)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void pump(Process process, List<String> output) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                System.out.println("[node] " + line);
                synchronized (output) {
                    output.add(line);
                }
            }
        } catch (IOException e) {
            synchronized (output) {
                output.add("output lost: " + e);
            }
        }
    }
}
