package dev.tandem.presence;

import dev.tandem.config.PresenceConfig;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Which channels are crowded enough to be in stats mode, and the pacing of their {@code presence:stats}
 * broadcasts. A channel enters stats mode when a change leaves it with more than {@code syncLimit} users, and
 * leaves it only when a change brings it down to {@code syncLimit × statsResume} users or fewer, so a channel
 * hovering at the limit does not flap between the two modes. In stats mode every membership change asks for a
 * broadcast of the counts: the first after a quiet interval goes out at once, later ones within
 * {@code statsInterval} are folded into one broadcast at the end of it, which reads the counts of that moment.
 *
 * <p>Design. Only crowded channels have an entry here, so the common case (a small channel) costs one map
 * lookup and no allocation. Transitions are computed atomically per channel ({@link ConcurrentHashMap#compute}),
 * since a cluster store reports changes from two threads (this node's writes, other nodes' relayed changes).
 * Pacing follows an ideal schedule (the next broadcast is due one interval after the previous one was due, not
 * after it actually ran), so late timers do not accumulate delay. A scheduled broadcast of a channel that left
 * stats mode meanwhile is dropped.
 */
final class StatsMode {
    /** What a change did to its channel's mode. */
    enum Step {
        /** Not crowded, before and after: member events as usual. */
        MEMBERS,
        /** Became crowded with this change. */
        ENTERED,
        /** Crowded before and after. */
        STATS,
        /** Left stats mode with this change: subscribers need the member list again. */
        LEFT;

        boolean inStats() {
            return this == ENTERED || this == STATS;
        }
    }

    private final ConcurrentHashMap<String, Crowd> crowded = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;
    private final Consumer<String> broadcast;

    /**
     * @param scheduler runs deferred broadcasts (never blocks)
     * @param broadcast sends the current counts of a channel to its subscribers
     */
    StatsMode(ScheduledExecutorService scheduler, Consumer<String> broadcast) {
        this.scheduler = scheduler;
        this.broadcast = broadcast;
    }

    /** Applies the counts a change left its channel with, and says what that did to the mode. */
    Step observe(String channel, PresenceCounts counts, PresenceConfig policy) {
        Step[] step = {Step.MEMBERS};
        crowded.compute(channel, (name, crowd) -> {
            if (crowd == null) {
                if (counts.users() <= policy.syncLimit()) {
                    return null;
                }
                step[0] = Step.ENTERED;
                return new Crowd(System.nanoTime());
            }
            if (counts.users() <= policy.resumeAt()) {
                step[0] = Step.LEFT;
                return null;
            }
            step[0] = Step.STATS;
            return crowd;
        });
        return step[0];
    }

    boolean inStats(String channel) {
        return crowded.containsKey(channel);
    }

    /** A membership change in a crowded channel: broadcasts the counts now, or once the interval has passed. */
    void changed(String channel, PresenceConfig policy) {
        Crowd crowd = crowded.get(channel);
        if (crowd == null) {
            return;
        }
        long interval = policy.statsInterval().toNanos();
        long wait;
        synchronized (crowd) {
            if (crowd.pending) {
                return;
            }
            long now = System.nanoTime();
            wait = crowd.nextAt - now;
            if (wait > 0) {
                crowd.pending = true;
                crowd.nextAt += interval;
            } else {
                crowd.nextAt = now + interval;
            }
        }
        if (wait > 0) {
            scheduler.schedule(() -> flush(channel, crowd), wait, TimeUnit.NANOSECONDS);
        } else {
            broadcast.accept(channel);
        }
    }

    private void flush(String channel, Crowd crowd) {
        synchronized (crowd) {
            crowd.pending = false;
        }
        if (crowded.get(channel) == crowd) {
            broadcast.accept(channel);
        }
    }

    /** A crowded channel's pacing: when the next broadcast may go (nanoTime), and whether one is scheduled. */
    private static final class Crowd {
        long nextAt;
        boolean pending;

        Crowd(long nextAt) {
            this.nextAt = nextAt;
        }
    }
}
