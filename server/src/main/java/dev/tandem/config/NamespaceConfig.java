package dev.tandem.config;

import java.time.Duration;

/**
 * The policy of every channel in one namespace (the part of a channel name before the first {@code :}).
 *
 * @param history       {@code none} or {@code memory}
 * @param historySize   publications kept per channel
 * @param historyTtl    how long a publication stays in history
 * @param clientPublish whether clients may publish (the server API always may)
 * @param priority      outbound lane of the namespace's publications; {@code low} ones are dropped first
 *                      when a connection falls behind
 * @param latestOnly    conflate queued publications of one channel, keeping the newest (cursors, tickers);
 *                      subscribers are told that seq gaps are expected
 * @param access        who may subscribe, publish, join presence and read history
 */
public record NamespaceConfig(HistoryMode history, int historySize, Duration historyTtl, boolean clientPublish,
                              Priority priority, boolean latestOnly, AccessConfig access) {

    /** Outbound priority class of a namespace's publications. */
    public enum Priority {
        high, normal, low
    }

    /** Where a namespace keeps its publications for recovery. */
    public enum HistoryMode {
        none, memory
    }
}
