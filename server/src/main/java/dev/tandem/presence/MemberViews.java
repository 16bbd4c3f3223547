package dev.tandem.presence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.tandem.protocol.FrameCodec;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The member lists of {@code presence:sync} (and of the HTTP API), built from member objects encoded once per
 * user and kept while that user's entries stay the same. In a busy channel every joiner gets the whole list:
 * 250 joins/s into a channel of 500 members rebuilt and serialised 125,000 member objects a second (~12 % of the
 * server's CPU in the presence benchmark's profile); between two joins only a handful of members change.
 *
 * <p>A cached view is reused only when the user's entries are equal to those it was encoded from, so the list is
 * always the {@link UserView#of} objects of the current entries; only the encoding work is saved. Each call
 * replaces the channel's cache with the users of the list it built, so users who left do not linger; an empty
 * list, or the last member leaving ({@link #forget}), drops the channel. The cost is memory: a channel that
 * answered a sync keeps its members' JSON text as long as it has members. Calls for one channel may race (a
 * join's reply and an HTTP query); the loser's cache is replaced, which costs a re-encode, never a wrong list.
 */
final class MemberViews {
    /** A user's member object as JSON text, and the entries it was encoded from. */
    private record View(List<PresenceEntry> entries, RawValue json) {
    }

    private final ConcurrentHashMap<String, Map<String, View>> byChannel = new ConcurrentHashMap<>();

    /** The member objects of {@code entries} (one channel's), users in order of first appearance. */
    ArrayNode list(String channel, List<PresenceEntry> entries) {
        Map<String, List<PresenceEntry>> byUser = UserView.byUser(entries);
        ArrayNode users = FrameCodec.JSON.createArrayNode();
        if (byUser.isEmpty()) {
            byChannel.remove(channel);
            return users;
        }
        Map<String, View> previous = byChannel.getOrDefault(channel, Map.of());
        Map<String, View> current = new HashMap<>(byUser.size() * 2);
        byUser.forEach((userId, ofUser) -> {
            View view = previous.get(userId);
            if (view == null || !view.entries().equals(ofUser)) {
                view = new View(ofUser, encode(ofUser));
            }
            current.put(userId, view);
            users.addRawValue(view.json());
        });
        byChannel.put(channel, current);
        return users;
    }

    /** Drops a channel's cached views (its last member left). */
    void forget(String channel) {
        byChannel.remove(channel);
    }

    private static RawValue encode(List<PresenceEntry> ofUser) {
        try {
            return new RawValue(new SerializedString(FrameCodec.JSON.writeValueAsString(UserView.of(ofUser))));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
