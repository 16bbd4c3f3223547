package dev.tandem.hub;

/**
 * A sequenced event on a channel, kept as the exact bytes subscribers received live, so that history and
 * recovery replay the very same frame.
 *
 * @param seq       per-channel sequence number, from 1, gap-free
 * @param timestamp server time of the publish, ms since the epoch
 * @param frame     the encoded JSON frame
 * @param delivery  how it travels through outbound queues (lane, conflation, expiry)
 */
public record Publication(long seq, long timestamp, byte[] frame, Delivery delivery) {
}
