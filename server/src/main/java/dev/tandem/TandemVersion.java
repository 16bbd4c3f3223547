package dev.tandem;

/** The server version, from the jar manifest when packaged, else the development version. */
public final class TandemVersion {
    public static final String VERSION = resolve();

    private TandemVersion() {
    }

    private static String resolve() {
        String fromJar = TandemVersion.class.getPackage().getImplementationVersion();
        return fromJar != null ? fromJar : "0.1.0-dev";
    }
}
