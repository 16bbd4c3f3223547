package dev.tandem.presence;

import dev.tandem.auth.ChannelAccess;
import dev.tandem.hub.ChannelName;
import dev.tandem.hub.Hub;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.Session;

/**
 * Who may join, see or query a channel's presence: the one place presence asks. A client needs the
 * namespace's {@code presence} permission ({@link ChannelAccess}), a namespace with presence enabled, and a
 * subscription to the channel (the path every presence event travels).
 */
public final class PresenceAccess {
    private final Hub hub;
    private final ChannelAccess access;

    public PresenceAccess(Hub hub, ChannelAccess access) {
        this.hub = hub;
        this.access = access;
    }

    /** Returns the channel when {@code session} may join and see its presence; otherwise throws the refusal. */
    public String checkClient(Session session, String channel) {
        checkChannel(channel);
        access.check(session.identity(), channel, ChannelAccess.Action.PRESENCE);
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
