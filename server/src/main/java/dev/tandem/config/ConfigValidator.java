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
        require(!t.flushDelay().isNegative() && t.flushDelay().compareTo(Duration.ofSeconds(1)) <= 0,
                "transports.flushDelay", "must be between 0 and 1s");
        require(t.ioThreads() >= 0 && t.ioThreads() <= 1024, "transports.ioThreads",
                "must be between 0 (one per processor) and 1024, got " + t.ioThreads());
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
        // Not capped by outboundQueueFrames: a replay that does not fit the queue is refused at subscribe time.
        atLeastOne(l.maxRecoveredPublications(), "limits.maxRecoveredPublications");
        atLeastOne(l.nodePublishRate(), "limits.nodePublishRate");
        atLeastOne(l.nodePublishBurst(), "limits.nodePublishBurst");
        require(l.maxSubscriptions() >= 1, "limits.maxSubscriptions", "must be at least 1");
        atLeastOne(l.maxHttpInFlight(), "limits.maxHttpInFlight");
        require(l.maxQueuedBytes() >= l.maxFrameBytes(), "limits.maxQueuedBytes", "must be at least limits.maxFrameBytes");
        ClusterConfig cluster = c.cluster();
        positive(cluster.nodeTtl(), "cluster.nodeTtl");
        require(!cluster.enabled() || cluster.redisUrl().startsWith("redis://") || cluster.redisUrl().startsWith("rediss://"),
                "cluster.redis.url", "must be a redis:// or rediss:// url");
        require(!cluster.enabled() || c.store().postgres().enabled(), "cluster.redis.url",
                "a cluster needs the shared PostgreSQL store (store.postgres.url)");
        positive(cluster.redisTimeout(), "cluster.redis.timeout");
        validateBreaker(cluster.redisBreaker(), "cluster.redis.breaker");
        StoreConfig s = c.store();
        require(s.poolSize() >= 1 && s.poolSize() <= 64, "store.poolSize", "must be between 1 and 64");
        require(s.writeQueue() >= 16, "store.writeQueue", "must be at least 16");
        require(s.maxBatch() >= 1 && s.maxBatch() <= s.writeQueue(), "store.maxBatch", "must be between 1 and store.writeQueue");
        positive(s.retentionInterval(), "store.retentionInterval");
        require(s.commitDelay() != null && !s.commitDelay().isNegative() && s.commitDelay().toMillis() <= 100,
                "store.commitDelay", "must be between 0 and 100ms");
        require(s.h2() != null && !s.h2().compactInterval().isNegative(), "store.h2.compactInterval",
                "must not be negative (0 = never)");
        require(s.h2().compactStep() >= 65_536 && s.h2().compactStep() <= 67_108_864, "store.h2.compactStep",
                "must be between 65536 and 67108864 bytes");
        require(s.h2().cacheSize() >= 65_536, "store.h2.cacheSize", "must be at least 65536 bytes");
        require(s.connectionTimeout() != null && s.connectionTimeout().toMillis() >= 250, "store.connectionTimeout",
                "must be at least 250ms");
        validateBreaker(s.breaker(), "store.breaker");
        ChatConfig chat = c.chat();
        require(chat.maxContentBytes() >= 1, "chat.maxContentBytes", "must be at least 1");
        positive(chat.idempotencyWindow(), "chat.idempotencyWindow");
        positive(chat.typingInterval(), "chat.typingInterval");
        positive(chat.receiptInterval(), "chat.receiptInterval");
        require(chat.receiptNamesUpTo() >= 0, "chat.receiptNamesUpTo", "must not be negative");
        EntitiesConfig entities = c.entities();
        require(entities != null, "entities", "must be a mapping");
        require(c.collections() != null, "collections", "must be a mapping (use {} for none)");
        require(entities.maxDocumentBytes() >= 2, "entities.maxDocumentBytes", "must be at least 2");
        require(entities.historyDepth() >= 1, "entities.historyDepth", "must be at least 1");
        require(entities.listLimit() >= 1 && entities.listLimit() <= 10_000, "entities.listLimit", "must be between 1 and 10000");
        c.collections().forEach((name, collection) -> validateCollection(name, collection));
        DocumentsConfig d = c.documents();
        require(d.maxMessageBytes() >= 1024, "documents.maxMessageBytes", "must be at least 1024");
        require(d.compactAfter() >= 2, "documents.compactAfter", "must be at least 2");
        positive(d.idleUnload(), "documents.idleUnload");
        positive(d.compactInterval(), "documents.compactInterval");
        require(d.store() != null, "documents.store", "must be jdbc or file");
        require(!c.cluster().enabled() || d.store() != DocumentsConfig.StoreKind.file, "documents.store",
                "must be jdbc in a cluster (every node must see every document; files are per node)");
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
            require(ns.ack() != null, key + ".ack", "must be none or required");
            positive(ns.ackTimeout(), key + ".ackTimeout");
            require(ns.maxRedeliveries() >= 0, key + ".maxRedeliveries", "must not be negative");
            require(!ns.ackRequired() || !ns.latestOnly(), key + ".ack",
                    "required cannot be combined with latestOnly (conflation drops publications on purpose)");
            validatePresence(ns.presence(), key + ".presence", l);
        }
    }

    private static void validateBreaker(BreakerConfig b, String key) {
        require(b != null, key, "must be a mapping");
        atLeastOne(b.failureThreshold(), key + ".failureThreshold");
        positive(b.slowCall(), key + ".slowCall");
        positive(b.openFor(), key + ".openFor");
    }

    private static void validatePresence(PresenceConfig p, String key, LimitsConfig l) {
        require(p != null, key, "must be a mapping");
        positive(p.ttl(), key + ".ttl");
        positive(p.awayAfter(), key + ".awayAfter");
        require(p.updateRate() >= 1 && p.updateRate() <= 1000, key + ".updateRate", "must be between 1 and 1000");
        require(p.syncLimit() >= 1, key + ".syncLimit", "must be at least 1");
        require(p.statsResume() >= 0 && p.statsResume() <= 1, key + ".statsResume", "must be between 0 and 1");
        positive(p.statsInterval(), key + ".statsInterval");
        require(p.maxStateBytes() >= 64 && p.maxStateBytes() <= l.maxFrameBytes(), key + ".maxStateBytes",
                "must be between 64 and limits.maxFrameBytes");
        require(p.batchWindow() != null && !p.batchWindow().isNegative(), key + ".batchWindow",
                "must be a duration of 0 (off) or more");
    }

    private static final Set<String> COLLECTION_RULES = Set.of("anonymous", "authenticated", "owner", "members");

    private static void validateCollection(String name, CollectionConfig c) {
        String key = "collections." + name;
        require(name.matches("[A-Za-z0-9_-]{1,64}"), key, "a collection name is 1-64 characters of A-Z a-z 0-9 _ -");
        require(c.conflict() == null || Set.of("reject", "merge", "lww").contains(c.conflict()), key + ".conflict",
                "must be reject, merge or lww");
        require(c.historyDepth() == null || c.historyDepth() >= 1, key + ".historyDepth", "must be at least 1");
        for (String action : List.of("read", "write")) {
            List<String> rules = action.equals("read") ? c.read() : c.write();
            for (String rule : rules == null ? List.<String>of() : rules) {
                boolean known = COLLECTION_RULES.contains(rule) || (rule != null && rule.startsWith("role:") && rule.length() > 5);
                require(known, key + "." + action,
                        "unknown rule '" + rule + "'; use anonymous, authenticated, owner, members or role:NAME");
            }
        }
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
