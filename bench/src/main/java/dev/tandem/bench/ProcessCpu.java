package dev.tandem.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * CPU time (user + system) a process has used so far, from {@code /proc/<pid>/stat}: the server's cost per
 * delivery, and the generator's own, which on a machine it shares with the server is CPU the server did not get.
 */
final class ProcessCpu {
    private static final long CLOCK_TICK_NANOS = TimeUnit.SECONDS.toNanos(1) / 100;

    private ProcessCpu() {
    }

    static long nanos(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        // After the command name: field 3 is state, so utime (14) and stime (15) are at indices 11 and 12.
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * CLOCK_TICK_NANOS;
    }

    /** This generator's own CPU time so far. */
    static long generatorNanos() throws IOException {
        return nanos(ProcessHandle.current().pid());
    }
}
