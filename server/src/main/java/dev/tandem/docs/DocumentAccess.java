package dev.tandem.docs;

import dev.tandem.auth.ChannelAccess;
import dev.tandem.auth.Identity;

/**
 * Whether a user may open a document. A room maps to the channel {@code doc:{room}}, so channel permissions
 * apply to documents; this is the one place they are asked.
 */
@FunctionalInterface
public interface DocumentAccess {
    /** Everyone may edit every document (tests of the protocol alone). */
    DocumentAccess ALLOW_ALL = (user, channel) -> true;

    boolean mayEdit(Identity user, String channel);

    /** Editing a document needs both subscribe and publish permission on its {@code doc:} channel. */
    static DocumentAccess of(ChannelAccess access) {
        return (user, channel) -> access.allows(user, channel, ChannelAccess.Action.SUBSCRIBE, null)
                && access.allows(user, channel, ChannelAccess.Action.PUBLISH, null);
    }
}
