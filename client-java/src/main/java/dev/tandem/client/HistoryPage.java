package dev.tandem.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * One page of a channel's history, oldest first.
 *
 * @param publications the events of the page, oldest first
 * @param seq          the channel's latest seq when the page was read
 * @param epoch        the channel's epoch; a different epoch than before means its history was lost
 * @param more         whether the page was cut at the limit (ask again from its last seq)
 */
public record HistoryPage(List<Publication> publications, long seq, String epoch, boolean more) {

    /** The seq of the newest publication in the page, or {@code fallback} when the page is empty. */
    public long lastSeq(long fallback) {
        return publications.isEmpty() ? fallback : publications.get(publications.size() - 1).seq();
    }

    static HistoryPage from(JsonNode payload) {
        List<Publication> list = new ArrayList<>();
        payload.path("publications").forEach(p -> list.add(Publication.from(p)));
        return new HistoryPage(List.copyOf(list), payload.path("seq").asLong(), payload.path("epoch").asText(),
                payload.path("more").asBoolean());
    }
}
