package dev.tandem.limits;

import dev.tandem.config.LimitsConfig;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connections held per user id and per remote address on this node, against
 * {@code limits.maxConnectionsPerUser} and {@code limits.maxConnectionsPerIp}. Loopback addresses are not
 * limited in dev mode (dev mode binds to loopback, so every client comes from there).
 */
public final class ConnectionLimits {
    private final LimitsConfig limits;
    private final boolean dev;
    private final ConcurrentHashMap<String, Integer> perUser = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> perHost = new ConcurrentHashMap<>();

    public ConnectionLimits(LimitsConfig limits, boolean dev) {
        this.limits = limits;
        this.dev = dev;
    }

    /** Counts a connection from {@code host}; false (and not counted) when the address is at its limit. */
    public boolean admitHost(String host) {
        return exempt(dev, host) || admit(perHost, host, limits.maxConnectionsPerIp());
    }

    public void releaseHost(String host) {
        if (!exempt(dev, host)) {
            release(perHost, host);
        }
    }

    /** Counts a connection of {@code userId}; false (and not counted) when the user is at its limit. */
    public boolean admitUser(String userId) {
        return admit(perUser, userId, limits.maxConnectionsPerUser());
    }

    public void releaseUser(String userId) {
        release(perUser, userId);
    }

    /** Whether per-address limits skip {@code host}: loopback in dev mode. */
    public static boolean exempt(boolean dev, String host) {
        return dev && (host.equals("127.0.0.1") || host.equals("0:0:0:0:0:0:0:1") || host.equals("::1"));
    }

    /** The address part of {@code /1.2.3.4:5678} or {@code /[::1]:5678}. */
    public static String hostOf(String remoteAddress) {
        if (remoteAddress == null) {
            return "unknown";
        }
        String s = remoteAddress.startsWith("/") ? remoteAddress.substring(1) : remoteAddress;
        if (s.startsWith("[") && s.indexOf(']') > 0) {
            return s.substring(1, s.indexOf(']'));
        }
        int colon = s.lastIndexOf(':');
        return colon > 0 && s.indexOf(':') == colon ? s.substring(0, colon) : s;
    }

    private static boolean admit(ConcurrentHashMap<String, Integer> counts, String key, int max) {
        boolean[] admitted = {false};
        counts.compute(key, (k, n) -> {
            int current = n == null ? 0 : n;
            if (current >= max) {
                return n;
            }
            admitted[0] = true;
            return current + 1;
        });
        return admitted[0];
    }

    private static void release(ConcurrentHashMap<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }
}
