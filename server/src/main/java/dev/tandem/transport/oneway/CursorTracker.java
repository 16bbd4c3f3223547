package dev.tandem.transport.oneway;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import dev.tandem.protocol.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Follows one session's position in each channel from the frames actually handed to its transport, which is
 * what a resume token must describe: a {@code subscribed} frame starts a position (its {@code seq} and
 * {@code epoch}), each sequenced event ({@code channel} + top-level {@code seq}) advances it, and
 * {@code unsubscribed} ends it.
 *
 * <p>Design. A {@code subscribed} with {@code recovered: true} is followed by the replayed events, so its
 * {@code seq} (the channel's latest) must not become the position yet, or a drop in the middle of the replay
 * would skip what was not delivered. The since-seq of a recovering subscribe is therefore announced first
 * ({@link #expectRecovery}) and becomes the position; the replayed events then advance it one by one.
 * Event loop only.
 */
public final class CursorTracker {
    private final Map<String, Cursor.Position> positions = new LinkedHashMap<>();
    private final Map<String, Long> recovering = new HashMap<>();
    private String formatted = "";
    private boolean changed;

    /** Announces that a subscribe with {@code since.seq = sinceSeq} is about to be dispatched. */
    public void expectRecovery(String channel, long sinceSeq) {
        recovering.put(channel, sinceSeq);
    }

    /** Updates positions from one outgoing frame (it is not consumed). */
    public void observe(ByteBuf frame) {
        try (JsonParser parser = FrameCodec.JSON.createParser((InputStream) new ByteBufInputStream(frame.duplicate()))) {
            observe(parser);
        } catch (IOException e) {
            throw new UncheckedIOException("server frame is not JSON", e);
        }
    }

    private void observe(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return;
        }
        String type = null;
        String channel = null;
        long seq = -1;
        JsonNode payload = null;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            switch (field) {
                case "type" -> type = parser.getValueAsString();
                case "channel" -> channel = parser.getValueAsString();
                case "seq" -> seq = value == JsonToken.VALUE_NUMBER_INT ? parser.getLongValue() : -1;
                case "payload" -> {
                    if ("subscribed".equals(type)) {
                        payload = parser.readValueAsTree();
                    } else {
                        parser.skipChildren();
                    }
                }
                default -> parser.skipChildren();
            }
        }
        apply(type, channel, seq, payload);
    }

    private void apply(String type, String channel, long seq, JsonNode payload) {
        if (channel == null) {
            return;
        }
        if ("subscribed".equals(type) && payload != null) {
            Long since = recovering.remove(channel);
            boolean recovered = payload.path("recovered").asBoolean(false);
            long position = recovered && since != null ? since : payload.path("seq").asLong();
            put(new Cursor.Position(channel, position, payload.path("epoch").asText()));
        } else if ("unsubscribed".equals(type)) {
            changed |= positions.remove(channel) != null;
        } else if (seq >= 0) {
            Cursor.Position current = positions.get(channel);
            if (current != null && seq > current.seq()) {
                put(new Cursor.Position(channel, seq, current.epoch()));
            }
        }
    }

    private void put(Cursor.Position position) {
        positions.put(position.channel(), position);
        changed = true;
    }

    /** The positions part of a cursor, formatted once per change. */
    String formattedPositions() {
        if (changed) {
            formatted = Cursor.formatPositions(positions.values());
            changed = false;
        }
        return formatted;
    }

    /** A full cursor for {@code sessionId} and {@code counter}. */
    public String cursor(String sessionId, long counter) {
        return Cursor.format(sessionId, counter, formattedPositions());
    }
}
