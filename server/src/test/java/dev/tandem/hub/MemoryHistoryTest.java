package dev.tandem.hub;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MemoryHistoryTest {

    private static MemoryHistory historyOf(int capacity, int count) {
        MemoryHistory history = new MemoryHistory(capacity, 60_000);
        for (int seq = 1; seq <= count; seq++) {
            history.add(new Publication(seq, 1_000L * seq, new byte[0], Delivery.NORMAL));
        }
        return history;
    }

    @Test
    void keepsOnlyTheNewestUpToCapacity() {
        MemoryHistory history = historyOf(10, 25);
        assertThat(history.size()).isEqualTo(10);
        assertThat(history.covers(16)).isTrue();
        assertThat(history.covers(15)).isFalse();
        assertThat(history.after(20)).extracting(Publication::seq).containsExactly(21L, 22L, 23L, 24L, 25L);
    }

    @Test
    void historiesWithoutPublicationsShareNothingAClearedOneCanTake() {
        MemoryHistory untouched = new MemoryHistory(10, 60_000);
        MemoryHistory cleared = historyOf(10, 3);
        cleared.clear();
        cleared.expire(Long.MAX_VALUE);
        assertThat(cleared.isEmpty()).isTrue();
        assertThat(cleared.page(HistoryQuery.of(-1, -1, 10), 3, "e").publications()).isEmpty();

        cleared.add(new Publication(4, 4_000L, new byte[0], Delivery.NORMAL));
        assertThat(cleared.after(0)).extracting(Publication::seq).containsExactly(4L);
        assertThat(untouched.isEmpty()).as("a publication in one history never shows in another").isTrue();
        assertThat(untouched.covers(4)).isFalse();
        assertThat(new MemoryHistory(10, 60_000).after(0)).isEmpty();
    }

    @Test
    void expiresPublicationsOlderThanTheTtl() {
        MemoryHistory history = historyOf(100, 10);
        history.expire(1_000L * 5 + 60_000);
        assertThat(history.after(0)).extracting(Publication::seq).containsExactly(6L, 7L, 8L, 9L, 10L);
    }

    @Test
    void pagesForwardBackwardAndNewest() {
        MemoryHistory history = historyOf(100, 10);
        HistoryPage forward = history.page(HistoryQuery.of(3, -1, 4), 10, "e");
        assertThat(forward.publications()).extracting(Publication::seq).containsExactly(4L, 5L, 6L, 7L);
        assertThat(forward.more()).isTrue();
        HistoryPage lastForward = history.page(HistoryQuery.of(7, -1, 4), 10, "e");
        assertThat(lastForward.publications()).extracting(Publication::seq).containsExactly(8L, 9L, 10L);
        assertThat(lastForward.more()).isFalse();
        HistoryPage backward = history.page(HistoryQuery.of(-1, 4, 10), 10, "e");
        assertThat(backward.publications()).extracting(Publication::seq).containsExactly(1L, 2L, 3L);
        assertThat(backward.more()).isFalse();
        HistoryPage newest = history.page(HistoryQuery.of(-1, -1, 3), 10, "e");
        assertThat(newest.publications()).extracting(Publication::seq).containsExactly(8L, 9L, 10L);
        assertThat(newest.more()).isTrue();
    }

    @Test
    void limitAboveTheMaximumIsServedAsTheMaximum() {
        assertThat(HistoryQuery.of(-1, -1, 5_000).limit()).isEqualTo(HistoryQuery.MAX_LIMIT);
    }
}
