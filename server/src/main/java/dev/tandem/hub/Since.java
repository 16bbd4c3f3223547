package dev.tandem.hub;

/**
 * A client's recovery position: the last {@code seq} it saw in the channel {@code epoch} it saw it in.
 */
public record Since(long seq, String epoch) {
}
