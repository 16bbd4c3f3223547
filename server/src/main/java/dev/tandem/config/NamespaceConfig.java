package dev.tandem.config;

import java.time.Duration;

/**
 * The policy of every channel in one namespace (the part of a channel name before the first {@code :}).
 *
 * @param history       {@code none} or {@code memory}
 * @param historySize   publications kept per channel
 * @param historyTtl    how long a publication stays in history
 * @param clientPublish whether clients may publish (the server API always may)
 * @param access        who may subscribe, publish, join presence and read history
 */
public record NamespaceConfig(HistoryMode history, int historySize, Duration historyTtl, boolean clientPublish,
                              AccessConfig access) {

    /** Where a namespace keeps its publications for recovery. */
    public enum HistoryMode {
        none, memory
    }
}
