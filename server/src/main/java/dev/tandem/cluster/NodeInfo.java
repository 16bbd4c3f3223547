package dev.tandem.cluster;

/**
 * One node of the cluster as the registry knows it (and the admin page shows it).
 *
 * @param id            the node id ({@code cluster.nodeId} or generated)
 * @param address       where the node listens, {@code host:port}
 * @param started       when the node started, ms since the epoch
 * @param connections   its client connections at its last heartbeat
 * @param lastHeartbeat when it last heartbeated, ms since the epoch (Redis time); for a single node, now
 */
public record NodeInfo(String id, String address, long started, int connections, long lastHeartbeat) {
}
