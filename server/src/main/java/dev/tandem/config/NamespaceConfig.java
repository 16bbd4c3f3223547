package dev.tandem.config;

import java.time.Duration;

/**
 * The policy of every channel in one namespace (the part of a channel name before the first {@code :}).
 *
 * @param history       {@code none}, {@code memory} or {@code durable} (the store; survives restarts)
 * @param historySize   publications kept per channel
 * @param historyTtl    how long a publication stays in history
 * @param clientPublish whether clients may publish (the server API always may)
 * @param priority      outbound lane of the namespace's publications; {@code low} ones are dropped first
 *                      when a connection falls behind
 * @param latestOnly    conflate queued publications of one channel, keeping the newest (cursors, tickers);
 *                      subscribers are told that seq gaps are expected
 * @param presence      presence and awareness policy
 * @param retention     durable history: how long events stay in the store before they move to the archive
 * @param access        who may subscribe, publish, join presence and read history
 * @param ack           {@code required}: subscribers acknowledge publications ({@code confirm}); what a user has
 *                      not acknowledged is redelivered after {@code ackTimeout} and on resubscribe, even past
 *                      the {@code since} the client sends
 * @param ackTimeout    how long a delivered publication may stay unacknowledged before it is sent again
 * @param maxRedeliveries redeliveries of one unacknowledged position at most while connected (then only a
 *                      resubscribe brings it again)
 */
public record NamespaceConfig(HistoryMode history, int historySize, Duration historyTtl, boolean clientPublish,
                              Priority priority, boolean latestOnly, PresenceConfig presence,
                              Duration retention, AccessConfig access, AckMode ack, Duration ackTimeout,
                              int maxRedeliveries) {

    /** Whether subscribers must acknowledge the namespace's publications. */
    public enum AckMode {
        none, required
    }

    public boolean ackRequired() {
        return ack == AckMode.required;
    }

    /** Outbound priority class of a namespace's publications. */
    public enum Priority {
        high, normal, low
    }

    /** Where a namespace keeps its publications for recovery. */
    public enum HistoryMode {
        none, memory, durable
    }
}
