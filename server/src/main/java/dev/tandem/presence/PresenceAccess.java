package dev.tandem.presence;

import dev.tandem.hub.ChannelName;
import dev.tandem.hub.Hub;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.Session;

/**
 * Who may join, see or query a channel's presence: the one place presence asks, so the channel permission
 * check of the auth layer plugs in here. Today: a valid channel name whose namespace has presence enabled, and,
 * for clients, a subscription to the channel (the subscribe already passed the channel's permission check,
 * and it is the path every presence event travels).
 */
public final class PresenceAccess {
    private final Hub hub;

    public PresenceAccess(Hub hub) {
        this.hub = hub;
    }

    /** Returns the channel when {@code session} may join and see its presence; otherwise throws the refusal. */
    public String checkClient(Session session, String channel) {
        checkChannel(channel);
        if (!session.subscriptions().contains(channel)) {
            throw new ProtocolException(ErrorCode.FORBIDDEN,
                    "subscribe to " + channel + " before joining or reading its presence");
        }
        return channel;
    }

    /** Returns the channel when its presence may be queried at all (the server API is trusted by its api key). */
    public String checkChannel(String channel) {
        ChannelName.validate(channel);
        if (!hub.policy(channel).presence().enabled()) {
            throw new ProtocolException(ErrorCode.FORBIDDEN,
                    "presence is disabled for namespace '" + ChannelName.namespace(channel) + "'");
        }
        return channel;
    }
}
