package dev.tandem.presence;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
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
 * always the {@link UserView#of} objects of the current entries; only the encoding work is saved. The channel's
 * cache is updated in place and keeps only the users of the list last built, so users who left do not linger; an
 * empty list, or the last member leaving ({@link #forget}), drops the channel. Building in place rather than into
 * a fresh map per call matters: at 250 joins/s into 500 members, the per-call map and list nodes were a third of
 * what the server allocated in the presence benchmark. Calls for one channel (a join's reply, an HTTP query) take
 * turns on the channel's cache. The cost is memory: a channel that answered a sync keeps its members' JSON text as
 * long as it has members.
 */
final class MemberViews {
    /**
     * A user's member object as JSON text (in a node that any number of lists can hold), the entries it was
     * encoded from, and the last list that listed it.
     */
    private static final class View {
        final List<PresenceEntry> entries;
        final JsonNode json;
        Object listedBy;

        View(List<PresenceEntry> entries, JsonNode json) {
            this.entries = entries;
            this.json = json;
        }

        /** Whether {@code all[from, to)} are the entries this view was encoded from. */
        boolean encodes(List<PresenceEntry> all, int from, int to) {
            if (entries.size() != to - from) {
                return false;
            }
            for (int i = from; i < to; i++) {
                PresenceEntry cached = entries.get(i - from);
                PresenceEntry current = all.get(i);
                if (cached != current && !cached.equals(current)) {
                    return false;
                }
            }
            return true;
        }
    }

    private final ConcurrentHashMap<String, Map<String, View>> byChannel = new ConcurrentHashMap<>();

    /** The member objects of {@code entries} (one channel's), users in order of first appearance. */
    ArrayNode list(String channel, List<PresenceEntry> entries) {
        if (entries.isEmpty()) {
            byChannel.remove(channel);
            return FrameCodec.JSON.createArrayNode();
        }
        Map<String, View> views = byChannel.computeIfAbsent(channel, c -> new HashMap<>());
        synchronized (views) {
            ArrayNode users = new ArrayNode(FrameCodec.JSON.getNodeFactory(), entries.size());
            Object listing = new Object();
            if (!addRuns(entries, views, listing, users)) {
                users.removeAll();
                Object grouped = new Object();
                UserView.byUser(entries).forEach((userId, ofUser) -> users.add(listed(views, userId, ofUser, grouped)));
                listing = grouped;
            }
            forgetUnlisted(views, listing);
            return users;
        }
    }

    /** Drops the views of users the last list did not hold (they left). */
    private static void forgetUnlisted(Map<String, View> views, Object listing) {
        views.values().removeIf(view -> view.listedBy != listing);
    }

    /**
     * Lists each run of one user's adjacent entries, without grouping them first: the local store lists a
     * channel's entries grouped by user, and regrouping 500 members per join was a quarter of what the server
     * allocated in the presence benchmark. False as soon as a user turns up in a second run (a store that lists
     * connections in join order); the caller then groups. Views encoded here join the cache only when the pass
     * succeeds, so a failed pass does not replace a user's view with one of a single run.
     */
    private static boolean addRuns(List<PresenceEntry> entries, Map<String, View> views, Object listing,
                                   ArrayNode users) {
        Map<String, View> encoded = Map.of();
        int from = 0;
        while (from < entries.size()) {
            String userId = entries.get(from).userId();
            int to = from + 1;
            while (to < entries.size() && entries.get(to).userId().equals(userId)) {
                to++;
            }
            View view = views.get(userId);
            if (view != null && view.listedBy == listing || encoded.containsKey(userId)) {
                return false;
            }
            if (view == null || !view.encodes(entries, from, to)) {
                view = encode(entries, from, to);
                encoded = encoded.isEmpty() ? new HashMap<>() : encoded;
                encoded.put(userId, view);
            }
            view.listedBy = listing;
            users.add(view.json);
            from = to;
        }
        views.putAll(encoded);
        return true;
    }

    /** The member object of a user's entries, from the cache when its view encodes them. */
    private static JsonNode listed(Map<String, View> views, String userId, List<PresenceEntry> entries,
                                   Object listing) {
        View view = views.get(userId);
        if (view == null || !view.encodes(entries, 0, entries.size())) {
            view = encode(entries, 0, entries.size());
            views.put(userId, view);
        }
        view.listedBy = listing;
        return view.json;
    }

    /** Drops a channel's cached views (its last member left). */
    void forget(String channel) {
        byChannel.remove(channel);
    }

    private static View encode(List<PresenceEntry> entries, int from, int to) {
        List<PresenceEntry> ofUser = List.copyOf(entries.subList(from, to));
        try {
            RawValue json = new RawValue(new SerializedString(FrameCodec.JSON.writeValueAsString(UserView.of(ofUser))));
            return new View(ofUser, FrameCodec.JSON.getNodeFactory().rawValueNode(json));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }
}
