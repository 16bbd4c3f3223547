package dev.tandem.transport;

import dev.tandem.config.TandemConfig;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which browser origins may talk to this server: its own origin (the {@code Origin} names the same host and
 * port as the {@code Host} header), the configured {@code server.allowedOrigins} ({@code *} for any), and in
 * dev mode any {@code localhost} origin. A request without {@code Origin} is not from a browser page and is
 * not subject to it. The router applies it to WebSocket and SSE handshakes (refused with 403) and answers
 * CORS for the same list; the allowed origin is echoed, never {@code *}, and no credentials are allowed.
 */
public final class OriginPolicy {
    private static final Set<String> LOCAL_HOSTS = Set.of("localhost", "127.0.0.1", "[::1]");

    private final boolean dev;
    private final boolean any;
    private final Set<String> allowed;

    public OriginPolicy(TandemConfig config) {
        this.dev = config.dev();
        List<String> origins = config.server().allowedOrigins();
        this.any = origins.contains("*");
        this.allowed = origins.stream().map(OriginPolicy::normalize).collect(Collectors.toUnmodifiableSet());
    }

    /** Whether a request with this {@code Origin} (null when absent) and {@code Host} may proceed. */
    public boolean allows(String origin, String host) {
        if (origin == null) {
            return true;
        }
        if (any) {
            return true;
        }
        String normalized = normalize(origin);
        if (allowed.contains(normalized)) {
            return true;
        }
        URI uri;
        try {
            uri = new URI(normalized);
        } catch (Exception e) {
            return false;
        }
        if (uri.getHost() == null || uri.getScheme() == null) {
            return false;
        }
        if (dev && LOCAL_HOSTS.contains(uri.getHost())) {
            return true;
        }
        return host != null && authority(uri).equals(withPort(host.toLowerCase(Locale.ROOT), uri.getScheme()));
    }

    private static String authority(URI uri) {
        int port = uri.getPort() >= 0 ? uri.getPort() : defaultPort(uri.getScheme());
        return uri.getHost() + ":" + port;
    }

    private static String withPort(String host, String scheme) {
        boolean hasPort = host.startsWith("[") ? host.contains("]:") : host.contains(":");
        return hasPort ? host : host + ":" + defaultPort(scheme);
    }

    private static int defaultPort(String scheme) {
        return "https".equals(scheme) || "wss".equals(scheme) ? 443 : 80;
    }

    private static String normalize(String origin) {
        String trimmed = origin.trim().toLowerCase(Locale.ROOT);
        return trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
    }
}
