package dev.tandem.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Duration;
import java.util.Map;

/**
 * Several nodes sharing one Redis: cross-node fanout, presence and the node registry. Off (a single node)
 * when the Redis url is empty.
 *
 * @param redisUrl Lettuce url of the shared Redis, e.g. {@code redis://127.0.0.1:6379}; empty = single node
 * @param nodeId   this node's id in the cluster; empty = generated at start
 * @param nodeTtl  a node whose last heartbeat is older than this is dead (it heartbeats every third of it)
 */
public record ClusterConfig(String redisUrl, String nodeId, Duration nodeTtl) {

    /** Binds the YAML shape {@code cluster: {redis: {url}, nodeId, nodeTtl}}. */
    @JsonCreator
    static ClusterConfig bind(@JsonProperty("redis") Map<String, String> redis, @JsonProperty("nodeId") String nodeId,
                              @JsonProperty("nodeTtl") Duration nodeTtl) {
        return new ClusterConfig(redis == null ? "" : redis.getOrDefault("url", ""), nodeId, nodeTtl);
    }

    public boolean enabled() {
        return redisUrl != null && !redisUrl.isBlank();
    }
}
