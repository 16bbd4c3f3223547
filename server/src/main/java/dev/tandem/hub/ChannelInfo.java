package dev.tandem.hub;

/**
 * A snapshot of one channel for the server API and the dashboard.
 *
 * @param name        channel name
 * @param subscribers local subscriber count
 * @param seq         latest seq
 * @param epoch       current epoch
 * @param history     publications held in history
 */
public record ChannelInfo(String name, int subscribers, long seq, String epoch, int history) {
}
