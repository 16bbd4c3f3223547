package dev.tandem.config;

import java.time.Duration;
import java.util.Map;

/** Checks the ranges that binding cannot: each failure names the key, for a one-line operator message. */
final class ConfigValidator {
    private ConfigValidator() {
    }

    static void validate(TandemConfig c) {
        require(c.host() != null && !c.host().isBlank(), "host", "must not be empty");
        require(c.port() >= 0 && c.port() <= 65535, "port", "must be between 0 and 65535, got " + c.port());
        require(c.dataDir() != null, "dataDir", "must be set");
        positive(c.connection().pingInterval(), "connection.pingInterval");
        positive(c.shutdown().timeout(), "shutdown.timeout");
        LimitsConfig l = c.limits();
        require(l.maxFrameBytes() >= 1024, "limits.maxFrameBytes", "must be at least 1024");
        require(l.maxHttpBodyBytes() >= 1024, "limits.maxHttpBodyBytes", "must be at least 1024");
        require(l.maxSubscriptionsPerConnection() >= 1, "limits.maxSubscriptionsPerConnection", "must be at least 1");
        require(l.maxConnections() >= 1, "limits.maxConnections", "must be at least 1");
        require(l.outboundQueueFrames() >= 16, "limits.outboundQueueFrames", "must be at least 16");
        require(l.outboundQueueBytes() >= l.maxFrameBytes(), "limits.outboundQueueBytes",
                "must be at least limits.maxFrameBytes");
        DocumentsConfig d = c.documents();
        require(d.maxMessageBytes() >= 1024, "documents.maxMessageBytes", "must be at least 1024");
        require(d.compactAfter() >= 2, "documents.compactAfter", "must be at least 2");
        positive(d.idleUnload(), "documents.idleUnload");
        for (Map.Entry<String, NamespaceConfig> e : c.namespaces().entrySet()) {
            String key = "namespaces." + e.getKey();
            NamespaceConfig ns = e.getValue();
            require(ns.history() != null, key + ".history", "must be none or memory");
            require(ns.historySize() >= 1 && ns.historySize() <= 1_000_000, key + ".historySize",
                    "must be between 1 and 1000000");
            positive(ns.historyTtl(), key + ".historyTtl");
            require(ns.priority() != null, key + ".priority", "must be high, normal or low");
        }
    }

    private static void positive(Duration d, String key) {
        require(d != null && !d.isNegative() && !d.isZero(), key, "must be a positive duration");
    }

    private static void require(boolean ok, String key, String problem) {
        if (!ok) {
            throw new ConfigException(key, problem);
        }
    }
}
