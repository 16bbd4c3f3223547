package dev.tandem.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class TandemCommandTest {
    @TempDir
    Path dir;

    @Test
    void aBadConfigValueExitsWithTwoAndOneLineNamingTheKey() throws Exception {
        Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "limits:\n  maxFrameBytes: huge\n");
        String err = runCapturingStderr(2, "serve", "--config", file.toString());
        assertThat(err.strip()).hasLineCount(1).contains("limits.maxFrameBytes").doesNotContain("Exception");
    }

    @Test
    void aBadFlagValueExitsWithTwo() {
        String err = runCapturingStderr(2, "--port", "not-a-port");
        assertThat(err.strip()).hasLineCount(1).contains("'port'");
    }

    @Test
    void helpListsTheServeCommand() {
        CommandLine cli = new CommandLine(new TandemCommand());
        assertThat(cli.getUsageMessage()).contains("serve").contains("--config").contains("--port");
    }

    private static String runCapturingStderr(int expectedCode, String... args) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            assertThat(new CommandLine(new TandemCommand()).execute(args)).isEqualTo(expectedCode);
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
