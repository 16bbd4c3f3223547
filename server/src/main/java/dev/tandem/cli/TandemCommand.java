package dev.tandem.cli;

import dev.tandem.TandemServer;
import dev.tandem.TandemVersion;
import dev.tandem.config.ConfigException;
import dev.tandem.config.ConfigLoader;
import dev.tandem.config.TandemConfig;
import io.netty.util.ResourceLeakDetector;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * The {@code tandem} command line. With no subcommand it runs the dev server on 127.0.0.1:8080; {@code serve}
 * runs with a config file in production mode. A configuration problem prints one line naming the key and
 * exits with 2; SIGTERM drains the server before the JVM exits.
 */
@Command(name = "tandem", mixinStandardHelpOptions = true, versionProvider = TandemCommand.Version.class,
        description = "Tandem: a self-hosted real-time collaboration server.%n"
                + "With no command, runs a dev server on 127.0.0.1:8080 (anonymous users, ?user=NAME).",
        subcommands = {ServeCommand.class, CommandLine.HelpCommand.class})
public final class TandemCommand implements Callable<Integer> {
    /** Exit code for an unusable configuration. */
    static final int CONFIG_ERROR = 2;

    @Mixin
    ServerOptions options;

    /** Netty's own switch; when the operator sets it, theirs wins. */
    private static final String LEAK_DETECTION = "io.netty.leakDetection.level";

    public static void main(String[] args) {
        disableLeakSamplingUnlessAsked();
        int code = new CommandLine(new TandemCommand()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * Netty samples one buffer in 128 for leak tracking, and each sample records a stack trace: about 7 % of the
     * server's CPU on a busy channel (perf, 100 subscribers x 1,000 msg/s). The tests keep the detector on (they
     * start servers in-process, not through here), so leaks still show in their logs; a running server does not pay
     * for it unless {@code -Dio.netty.leakDetection.level=simple} asks.
     */
    private static void disableLeakSamplingUnlessAsked() {
        if (System.getProperty(LEAK_DETECTION) == null) {
            ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        }
    }

    @Override
    public Integer call() {
        return run(options, true);
    }

    /** Loads the configuration, starts the server and blocks until the JVM is asked to stop. */
    static int run(ServerOptions options, boolean dev) {
        TandemConfig config;
        try {
            config = options.load(dev);
        } catch (ConfigException e) {
            System.err.println("tandem: " + e.getMessage());
            return CONFIG_ERROR;
        }
        TandemServer server;
        try {
            server = TandemServer.start(config);
        } catch (ConfigException e) {
            System.err.println("tandem: " + e.getMessage());
            return CONFIG_ERROR;
        } catch (RuntimeException e) {
            System.err.println("tandem: cannot start on " + config.host() + ":" + config.port() + ": " + e.getMessage());
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "tandem-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** The flags shared by the dev server and {@code serve}. */
    static final class ServerOptions {
        @CommandLine.Option(names = "--config", paramLabel = "FILE", description = "YAML configuration file")
        Path config;

        @CommandLine.Option(names = "--host", description = "interface to bind (dev default 127.0.0.1, serve default 0.0.0.0)")
        String host;

        @CommandLine.Option(names = "--port", description = "port for every endpoint (default 8080)")
        String port;

        @CommandLine.Option(names = "--data-dir", paramLabel = "DIR", description = "where durable state lives (default ./data)")
        String dataDir;

        TandemConfig load(boolean dev) {
            ConfigLoader loader = ConfigLoader.defaults().set("dev", String.valueOf(dev));
            if (!dev) {
                loader.set("host", "0.0.0.0");
            }
            if (config != null) {
                loader.file(config);
            }
            loader.environment(System.getenv());
            setIfPresent(loader, "host", host);
            setIfPresent(loader, "port", port);
            setIfPresent(loader, "dataDir", dataDir);
            return loader.load();
        }

        private static void setIfPresent(ConfigLoader loader, String key, String value) {
            if (value != null) {
                loader.set(key, value);
            }
        }
    }

    /** Prints the server version. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"tandem " + TandemVersion.VERSION};
        }
    }
}
