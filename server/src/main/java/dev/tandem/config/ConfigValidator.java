package dev.tandem.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks the ranges that binding cannot: each failure names the key, for a one-line operator message. */
final class ConfigValidator {
    private static final Set<String> ACCESS_RULES = Set.of("anonymous", "authenticated", "owner", "token");

    private ConfigValidator() {
    }

    static void validate(TandemConfig c) {
        require(c.host() != null && !c.host().isBlank(), "host", "must not be empty");
        require(c.port() >= 0 && c.port() <= 65535, "port", "must be between 0 and 65535, got " + c.port());
        require(c.dataDir() != null, "dataDir", "must be set");
        positive(c.connection().pingInterval(), "connection.pingInterval");
        positive(c.shutdown().timeout(), "shutdown.timeout");
        TransportsConfig t = c.transports();
        positive(t.sseRetry(), "transports.sseRetry");
        positive(t.keepAliveInterval(), "transports.keepAliveInterval");
        positive(t.pollMaxWait(), "transports.pollMaxWait");
        positive(t.pollSessionTimeout(), "transports.pollSessionTimeout");
        require(t.maxFramesPerPost() >= 1, "transports.maxFramesPerPost", "must be at least 1");
        require(c.tracing().sampleRatio() >= 0 && c.tracing().sampleRatio() <= 1, "tracing.sampleRatio",
                "must be between 0 and 1, got " + c.tracing().sampleRatio());
        require(c.tracing().serviceName() != null && !c.tracing().serviceName().isBlank(), "tracing.serviceName",
                "must not be empty");
        LimitsConfig l = c.limits();
        require(l.maxFrameBytes() >= 1024, "limits.maxFrameBytes", "must be at least 1024");
        require(l.maxHttpBodyBytes() >= 1024, "limits.maxHttpBodyBytes", "must be at least 1024");
        require(l.maxSubscriptionsPerConnection() >= 1, "limits.maxSubscriptionsPerConnection", "must be at least 1");
        require(l.maxConnections() >= 1, "limits.maxConnections", "must be at least 1");
        require(l.outboundQueueFrames() >= 16, "limits.outboundQueueFrames", "must be at least 16");
        require(l.outboundQueueBytes() >= l.maxFrameBytes(), "limits.outboundQueueBytes",
                "must be at least limits.maxFrameBytes");
        ClusterConfig cluster = c.cluster();
        positive(cluster.nodeTtl(), "cluster.nodeTtl");
        require(!cluster.enabled() || cluster.redisUrl().startsWith("redis://") || cluster.redisUrl().startsWith("rediss://"),
                "cluster.redis.url", "must be a redis:// or rediss:// url");
        require(!cluster.enabled() || c.store().postgres().enabled(), "cluster.redis.url",
                "a cluster needs the shared PostgreSQL store (store.postgres.url)");
        StoreConfig s = c.store();
        require(s.poolSize() >= 1 && s.poolSize() <= 64, "store.poolSize", "must be between 1 and 64");
        require(s.writeQueue() >= 16, "store.writeQueue", "must be at least 16");
        require(s.maxBatch() >= 1 && s.maxBatch() <= s.writeQueue(), "store.maxBatch", "must be between 1 and store.writeQueue");
        require(s.recoveryLimit() >= 1, "store.recoveryLimit", "must be at least 1");
        positive(s.retentionInterval(), "store.retentionInterval");
        ChatConfig chat = c.chat();
        require(chat.maxContentBytes() >= 1, "chat.maxContentBytes", "must be at least 1");
        positive(chat.idempotencyWindow(), "chat.idempotencyWindow");
        positive(chat.typingInterval(), "chat.typingInterval");
        positive(chat.receiptInterval(), "chat.receiptInterval");
        require(chat.receiptNamesUpTo() >= 0, "chat.receiptNamesUpTo", "must not be negative");
        DocumentsConfig d = c.documents();
        require(d.maxMessageBytes() >= 1024, "documents.maxMessageBytes", "must be at least 1024");
        require(d.compactAfter() >= 2, "documents.compactAfter", "must be at least 2");
        positive(d.idleUnload(), "documents.idleUnload");
        atLeastOne(l.commandRate(), "limits.commandRate");
        atLeastOne(l.commandBurst(), "limits.commandBurst");
        atLeastOne(l.floodDisconnectAfter(), "limits.floodDisconnectAfter");
        atLeastOne(l.channelPublishRate(), "limits.channelPublishRate");
        atLeastOne(l.channelPublishBurst(), "limits.channelPublishBurst");
        atLeastOne(l.maxConnectionsPerUser(), "limits.maxConnectionsPerUser");
        atLeastOne(l.maxConnectionsPerIp(), "limits.maxConnectionsPerIp");
        atLeastOne(l.handshakeRatePerIp(), "limits.handshakeRatePerIp");
        atLeastOne(l.handshakeBurstPerIp(), "limits.handshakeBurstPerIp");
        AuthConfig auth = c.auth();
        positive(auth.connectTimeout(), "auth.connectTimeout");
        positive(auth.expiryGrace(), "auth.expiryGrace");
        require(auth.jwt().clockSkew() != null && !auth.jwt().clockSkew().isNegative(), "auth.jwt.clockSkew",
                "must be a duration such as 30s");
        require(c.server().allowedOrigins() != null, "server.allowedOrigins", "must be a list");
        for (Map.Entry<String, NamespaceConfig> e : c.namespaces().entrySet()) {
            String key = "namespaces." + e.getKey();
            NamespaceConfig ns = e.getValue();
            require(ns.history() != null, key + ".history", "must be none, memory or durable");
            require(ns.historySize() >= 1 && ns.historySize() <= 1_000_000, key + ".historySize",
                    "must be between 1 and 1000000");
            positive(ns.historyTtl(), key + ".historyTtl");
            positive(ns.retention(), key + ".retention");
            AccessConfig access = ns.access();
            require(access != null, key + ".access", "must be a mapping");
            rules(access.subscribe(), key + ".access.subscribe");
            rules(access.publish(), key + ".access.publish");
            rules(access.presence(), key + ".access.presence");
            rules(access.history(), key + ".access.history");
            require(ns.priority() != null, key + ".priority", "must be high, normal or low");
            validatePresence(ns.presence(), key + ".presence", l);
        }
    }

    private static void validatePresence(PresenceConfig p, String key, LimitsConfig l) {
        require(p != null, key, "must be a mapping");
        positive(p.ttl(), key + ".ttl");
        positive(p.awayAfter(), key + ".awayAfter");
        require(p.updateRate() >= 1 && p.updateRate() <= 1000, key + ".updateRate", "must be between 1 and 1000");
        require(p.syncLimit() >= 1, key + ".syncLimit", "must be at least 1");
        require(p.maxStateBytes() >= 64 && p.maxStateBytes() <= l.maxFrameBytes(), key + ".maxStateBytes",
                "must be between 64 and limits.maxFrameBytes");
    }

    private static void rules(List<String> rules, String key) {
        require(rules != null, key, "must be a list of rules");
        for (String rule : rules) {
            boolean known = ACCESS_RULES.contains(rule) || (rule != null && rule.startsWith("role:") && rule.length() > 5);
            require(known, key, "unknown rule '" + rule + "'; use anonymous, authenticated, owner, token or role:NAME");
        }
    }

    private static void atLeastOne(int value, String key) {
        require(value >= 1, key, "must be at least 1, got " + value);
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
