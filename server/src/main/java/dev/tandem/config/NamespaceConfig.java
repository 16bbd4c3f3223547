package dev.tandem.config;

import java.time.Duration;

/**
 * The policy of every channel in one namespace (the part of a channel name before the first {@code :}).
 *
 * @param history       {@code none}, {@code memory} or {@code durable} (the store; survives restarts)
 * @param historySize   publications kept per channel
 * @param historyTtl    how long a publication stays in history
 * @param clientPublish whether clients may publish (the server API always may)
 * @param retention     durable history: how long events stay in the store before they move to the archive
 */
public record NamespaceConfig(HistoryMode history, int historySize, Duration historyTtl, boolean clientPublish,
                              Duration retention) {

    /** Where a namespace keeps its publications for recovery. */
    public enum HistoryMode {
        none, memory, durable
    }
}
