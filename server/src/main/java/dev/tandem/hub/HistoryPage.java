package dev.tandem.hub;

import java.util.List;

/**
 * One page of a channel's history, oldest first.
 *
 * @param publications the page
 * @param seq          the channel's latest seq
 * @param epoch        the channel's epoch
 * @param more         whether the page was cut at the limit
 */
public record HistoryPage(List<Publication> publications, long seq, String epoch, boolean more) {
}
