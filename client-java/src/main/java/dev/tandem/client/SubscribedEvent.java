package dev.tandem.client;

/**
 * The server confirmed a subscription (first time or after a reconnect).
 *
 * @param channel   the channel
 * @param seq       the channel's latest seq at that moment
 * @param epoch     the channel's epoch
 * @param resumed   whether the client asked to resume from a known position ({@code since})
 * @param recovered whether everything missed since that position follows; when {@code resumed} and not
 *                  {@code recovered}, events were lost: reload your state (or page with history)
 */
public record SubscribedEvent(String channel, long seq, String epoch, boolean resumed, boolean recovered) {

    /** True when events were missed and cannot be replayed: the application must refresh its state. */
    public boolean stateLost() {
        return resumed && !recovered;
    }
}
