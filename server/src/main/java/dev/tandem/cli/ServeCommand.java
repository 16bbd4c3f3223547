package dev.tandem.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code tandem serve --config FILE}: production mode (binds 0.0.0.0 unless told otherwise, no dev identities). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Run in production mode with a YAML config file (TANDEM_* environment variables override it).")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    TandemCommand.ServerOptions options;

    @Override
    public Integer call() {
        return TandemCommand.run(options, false);
    }
}
