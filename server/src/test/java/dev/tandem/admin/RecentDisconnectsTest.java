package dev.tandem.admin;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentDisconnectsTest {

    @Test
    void theRingKeepsOnlyTheNewestEntriesNewestFirst() {
        RecentDisconnects ring = new RecentDisconnects(3);
        for (int i = 1; i <= 10; i++) {
            ring.add(new RecentDisconnects.Entry(i, "c" + i, "u" + i, "ws", 1000, "reason " + i));
        }

        assertThat(ring.newestFirst()).extracting(RecentDisconnects.Entry::connectionId).containsExactly("c10", "c9", "c8");
    }
}
