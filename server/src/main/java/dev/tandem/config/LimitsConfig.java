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
 */
public record LimitsConfig(
        int maxConnections,
        int maxFrameBytes,
        int maxHttpBodyBytes,
        int maxSubscriptionsPerConnection,
        int outboundQueueFrames,
        long outboundQueueBytes) {
}
