package dev.tandem.docs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tandem.presence.PresenceService;
import dev.tandem.protocol.FrameCodec;

/**
 * Editors as presence members of {@code doc:{room}}: a y-websocket connection joins when it first announces an
 * awareness state and leaves when it closes; its presence state is the awareness {@code user} field (the name
 * and colour y-websocket apps set with {@code setLocalStateField('user', …)}), so cursor moves, which change
 * awareness many times a second, do not flood the channel. Each awareness renewal (every 15 s) keeps the entry
 * alive.
 */
public final class EditorPresence implements DocumentPresence {
    private final PresenceService presence;

    public EditorPresence(PresenceService presence) {
        this.presence = presence;
    }

    @Override
    public void announced(String room, DocumentPeer peer, String awarenessState) {
        String channel = "doc:" + room;
        int maxBytes = presence.policy(channel).maxStateBytes();
        presence.putMember(channel, peer.userId(), peer.connectionId(), userOf(awarenessState, maxBytes));
    }

    @Override
    public void left(String room, DocumentPeer peer) {
        presence.removeMember("doc:" + room, peer.connectionId());
    }

    /** The {@code user} object of an awareness state, or an empty object (also for one too large to mirror). */
    private static JsonNode userOf(String awarenessState, int maxBytes) {
        ObjectNode state = FrameCodec.JSON.createObjectNode();
        if (awarenessState.length() > maxBytes) {
            return state;
        }
        try {
            JsonNode user = FrameCodec.JSON.readTree(awarenessState).get("user");
            if (user != null && user.isObject() && user.toString().length() <= maxBytes) {
                state.setAll((ObjectNode) user);
            }
        } catch (JsonProcessingException e) {
            return state; // awareness states are opaque to the server; only well-formed ones are mirrored
        }
        return state;
    }
}
