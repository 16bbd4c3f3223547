package dev.tandem.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.security.SecureRandom;
import java.time.Duration;

/**
 * Running several nodes as one cluster on Redis (and the shared PostgreSQL store). An empty Redis url means a
 * single node: nothing here is used and the server opens no Redis connection.
 *
 * @param redisUrl    {@code redis://HOST:PORT} of the Redis every node shares; empty = single node
 * @param nodeId      this node's id, unique in the cluster; generated at start when left empty
 * @param nodeTtl     how long a node that stopped heartbeating counts as alive
 * @param redisPrefix prefix of every Redis key and pub/sub channel Tandem uses, so clusters (and tests) can
 *                    share one Redis
 * @param redisTimeout a Redis command not answered within this fails (and counts against the breaker)
 * @param redisBreaker the circuit breaker around every Redis command
 */
public record ClusterConfig(String redisUrl, String nodeId, Duration nodeTtl, String redisPrefix, Duration redisTimeout,
                            BreakerConfig redisBreaker) {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Binds the YAML shape {@code cluster: {redis: {url, prefix, timeout, breaker}, nodeId, nodeTtl}}. */
    @JsonCreator
    static ClusterConfig bind(@JsonProperty("redis") Redis redis, @JsonProperty("nodeId") String nodeId,
                              @JsonProperty("nodeTtl") Duration nodeTtl) {
        String id = nodeId == null || nodeId.isBlank()
                ? "node-" + Long.toString(RANDOM.nextLong() & Long.MAX_VALUE, 36) : nodeId;
        Redis r = redis == null ? new Redis("", null, null, null) : redis;
        return new ClusterConfig(r.url(), id, nodeTtl, r.prefix() == null ? "tandem:" : r.prefix(), r.timeout(),
                r.breaker());
    }

    /** Whether this node is part of a cluster (a Redis url is set). */
    public boolean enabled() {
        return redisUrl != null && !redisUrl.isBlank();
    }

    /** The {@code cluster.redis} section. */
    record Redis(String url, String prefix, Duration timeout, BreakerConfig breaker) {
    }
}
