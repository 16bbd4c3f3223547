package dev.tandem.messages;

import dev.tandem.config.ChatConfig;
import dev.tandem.session.Session;
import java.util.Set;

/**
 * Who may do what to chat messages, in one place so that roles from identities can be wired in here alone:
 * the author of a message is the session's user id, and a moderator (today: a user id listed in
 * {@code chat.moderators}) may delete anyone's message in a channel.
 */
public final class ChatPermissions {
    private final Set<String> moderators;

    public ChatPermissions(ChatConfig config) {
        this.moderators = Set.copyOf(config.moderators());
    }

    /** The id recorded as a message's author and compared on edit and delete. */
    public String authorId(Session session) {
        return session.userId();
    }

    /** Whether the session's user may delete other users' messages in {@code channel}. */
    public boolean mayModerate(Session session, String channel) {
        return moderators.contains(session.userId());
    }
}
