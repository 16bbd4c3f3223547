package dev.tandem.client;

/**
 * An active channel as the server API lists it.
 *
 * @param channel     the channel name
 * @param subscribers local subscribers on the node that answered
 * @param seq         latest seq
 * @param epoch       current epoch
 * @param history     publications held in history
 */
public record ChannelInfo(String channel, int subscribers, long seq, String epoch, int history) {
}
