package dev.tandem.presence;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import org.junit.jupiter.api.Test;

/**
 * The coalescer's pacing on a simulated clock, where every timer fires a little late as on a busy event loop:
 * a client sending at exactly the rate must not see its updates held ever longer (lateness adding up), and the
 * flushes must still keep to the rate.
 */
class UpdateCoalescerTest {
    private static final long MS = 1_000_000;
    private static final long INTERVAL = 50 * MS;
    private static final long TIMER_LATENESS = 3 * MS;

    private long now;
    private final PriorityQueue<Timed> timers = new PriorityQueue<>(Comparator.comparingLong(Timed::at));
    private final UpdateCoalescer coalescer = new UpdateCoalescer(() -> now);
    private final List<Long> flushes = new ArrayList<>();
    private final List<Long> holds = new ArrayList<>();
    private long oldestUnflushed = -1;

    private record Timed(long at, Runnable task) {
    }

    private void submitAt(long at) {
        fireTimersUntil(at);
        now = at;
        if (oldestUnflushed < 0) {
            oldestUnflushed = at;
        }
        coalescer.submit("room:a", "bob", "c1", null, INTERVAL,
                (delay, task) -> timers.add(new Timed(now + delay + TIMER_LATENESS, task)),
                (channel, userId, connections, sender) -> {
                    flushes.add(now);
                    holds.add(now - oldestUnflushed);
                    oldestUnflushed = -1;
                });
    }

    private void fireTimersUntil(long until) {
        while (!timers.isEmpty() && timers.peek().at() <= until) {
            Timed next = timers.poll();
            now = next.at();
            next.task().run();
        }
    }

    @Test
    void updatesAtExactlyTheRateAreNotHeldLongerAndLongerWhenTimersFireLate() {
        int updates = 40;
        for (int k = 0; k < updates; k++) {
            // The third update comes 8 ms early (beyond the tolerance): it waits for a timer, which fires late.
            submitAt(k * INTERVAL - (k == 2 ? 8 * MS : 0));
        }
        fireTimersUntil(Long.MAX_VALUE);

        assertThat(flushes).hasSize(updates);
        assertThat(holds.subList(3, holds.size())).as("hold of each update after the late timer")
                .allSatisfy(hold -> assertThat(hold).isLessThanOrEqualTo(TIMER_LATENESS));
        for (int i = 1; i < flushes.size(); i++) {
            assertThat(flushes.get(i) - flushes.get(i - 1)).as("gap before flush %d", i)
                    .isGreaterThanOrEqualTo(INTERVAL - INTERVAL / 10 - TIMER_LATENESS);
        }
    }

    @Test
    void aBurstIsFoldedIntoOneFlushPerIntervalOnTheIdealSchedule() {
        for (long t = 0; t < 1_000 * MS; t += MS) { // one update per millisecond for a second
            submitAt(t);
        }
        fireTimersUntil(Long.MAX_VALUE);

        // The first at once, then one per interval: due at 50, 100, … 1000 ms, each fired a little late.
        assertThat(flushes).hasSize(21);
        for (int i = 1; i < flushes.size(); i++) {
            assertThat(flushes.get(i)).as("flush %d", i).isEqualTo(i * INTERVAL + TIMER_LATENESS);
        }
    }
}
