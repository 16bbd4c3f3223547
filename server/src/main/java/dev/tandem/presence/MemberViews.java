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
        /** Whether {@code all[from, to)} are the entries this view was encoded from. */
        boolean encodes(List<PresenceEntry> all, int from, int to) {
            if (entries.size() != to - from) {
                return false;
            }
            for (int i = from; i < to; i++) {
                if (!entries.get(i - from).equals(all.get(i))) {
                    return false;
                }
            }
            return true;
        }
    }

    private final ConcurrentHashMap<String, Map<String, View>> byChannel = new ConcurrentHashMap<>();

    /** The member objects of {@code entries} (one channel's), users in order of first appearance. */
    ArrayNode list(String channel, List<PresenceEntry> entries) {
        ArrayNode users = FrameCodec.JSON.createArrayNode();
        if (entries.isEmpty()) {
            byChannel.remove(channel);
            return users;
        }
        Map<String, View> previous = byChannel.getOrDefault(channel, Map.of());
        Map<String, View> current = new HashMap<>(previous.size() * 2 + 16);
        if (!addRuns(entries, previous, current, users)) {
            users.removeAll();
            current.clear();
            UserView.byUser(entries).forEach((userId, ofUser) ->
                    add(users, current, userId, viewOf(previous.get(userId), ofUser, 0, ofUser.size())));
        }
        byChannel.put(channel, current);
        return users;
    }

    /**
     * Lists each run of one user's adjacent entries, without grouping them first: the local store lists a
     * channel's entries grouped by user, and regrouping 500 members per join was a quarter of what the server
     * allocated in the presence benchmark. False as soon as a user turns up in a second run (a store that lists
     * connections in join order); the caller then groups.
     */
    private static boolean addRuns(List<PresenceEntry> entries, Map<String, View> previous, Map<String, View> current,
                                   ArrayNode users) {
        int from = 0;
        while (from < entries.size()) {
            String userId = entries.get(from).userId();
            int to = from + 1;
            while (to < entries.size() && entries.get(to).userId().equals(userId)) {
                to++;
            }
            if (current.containsKey(userId)) {
                return false;
            }
            add(users, current, userId, viewOf(previous.get(userId), entries, from, to));
            from = to;
        }
        return true;
    }

    private static void add(ArrayNode users, Map<String, View> current, String userId, View view) {
        current.put(userId, view);
        users.addRawValue(view.json());
    }

    /** The cached view when it encodes {@code entries[from, to)}, else a fresh one. */
    private static View viewOf(View cached, List<PresenceEntry> entries, int from, int to) {
        if (cached != null && cached.encodes(entries, from, to)) {
            return cached;
        }
        List<PresenceEntry> ofUser = List.copyOf(entries.subList(from, to));
        return new View(ofUser, encode(ofUser));
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
