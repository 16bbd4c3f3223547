package dev.tandem.config;

/**
 * Bounds that keep one client from hurting the others.
 *
 * @param maxConnections                 connections this node accepts; beyond it new ones are refused with 1013
 * @param maxFrameBytes                  largest inbound frame; a bigger one closes the socket with 1009
 * @param maxHttpBodyBytes               largest HTTP request body
 * @param maxSubscriptionsPerConnection  subscriptions one connection may hold
 * @param outboundQueueFrames            frames queued for one connection before it counts as a slow consumer
 * @param outboundQueueBytes             bytes queued for one connection before it counts as a slow consumer
 * @param commandRate                    commands per second one connection may send (token bucket refill)
 * @param commandBurst                   commands one connection may send at once (token bucket size)
 * @param floodDisconnectAfter           rate-limited commands within 10 s after which the connection is closed 4029
 * @param channelPublishRate             client publishes per second into one channel
 * @param channelPublishBurst            client publishes into one channel at once
 * @param maxConnectionsPerUser          connections one user id may hold on this node
 * @param maxConnectionsPerIp            connections one remote address may hold on this node
 * @param handshakeRatePerIp             new connections per second from one remote address
 * @param handshakeBurstPerIp            new connections at once from one remote address
 * @param maxRecoveredPublications       publications a {@code subscribe} with {@code since} replays at most, in
 *                                       every history mode; beyond it, or when the replay would not fit in the
 *                                       connection's outbound queue, the reply is {@code recovered: false} and
 *                                       the client pages with {@code history} instead
 * @param nodePublishRate                publishes per second this node accepts from clients and the server API
 *                                       together; beyond it {@code rate_limited} with a retry hint (HTTP 429)
 * @param nodePublishBurst               publishes this node accepts at once above its rate
 * @param maxSubscriptions               subscriptions this node holds across all connections; beyond it a
 *                                       subscribe gets {@code unavailable} with a retry hint
 * @param maxHttpInFlight                HTTP requests being served at once (probes and metrics exempt); beyond it
 *                                       503 with {@code Retry-After}
 * @param maxQueuedBytes                 bytes waiting in all connections' outbound queues together beyond which
 *                                       new connections are refused with 1013 (the node is already behind)
 */
public record LimitsConfig(
        int maxConnections,
        int maxFrameBytes,
        int maxHttpBodyBytes,
        int maxSubscriptionsPerConnection,
        int outboundQueueFrames,
        long outboundQueueBytes,
        int commandRate,
        int commandBurst,
        int floodDisconnectAfter,
        int channelPublishRate,
        int channelPublishBurst,
        int maxConnectionsPerUser,
        int maxConnectionsPerIp,
        int handshakeRatePerIp,
        int handshakeBurstPerIp,
        int maxRecoveredPublications,
        int nodePublishRate,
        int nodePublishBurst,
        long maxSubscriptions,
        int maxHttpInFlight,
        long maxQueuedBytes) {
}
