package dev.tandem.transport.oneway;

import dev.tandem.hub.ChannelName;
import dev.tandem.protocol.ProtocolException;
import java.util.ArrayList;
import java.util.List;

/**
 * A resume token of the HTTP fallback transports: the SSE {@code id:}, the {@code cursor} of each NDJSON line
 * and of each poll response. It names the session that issued it and, for every channel the session is
 * subscribed to, the last {@code seq} delivered and the channel {@code epoch}; so any node, even one that never
 * saw the session, can rebuild its subscriptions with recovery. Text form (documented in docs/transports.md,
 * so a client may build one from positions it learnt over WebSocket):
 * <pre>1!{sessionId}!{counter}!{channel}~{seq}~{epoch}!{channel}~{seq}~{epoch}...</pre>
 * {@code !} and {@code ~} never occur in channel names, session ids or epochs, and the whole token is printable
 * ASCII, so it travels unchanged in a header or (URL-encoded) in a query.
 *
 * @param sessionId the session that issued it; empty when a client built it
 * @param counter   event number (SSE, stream) or poll batch number the token was issued with
 * @param positions one per subscribed channel
 */
public record Cursor(String sessionId, long counter, List<Position> positions) {
    static final String VERSION = "1";

    /**
     * Where a session stands in one channel.
     *
     * @param channel the channel
     * @param seq     the last seq delivered
     * @param epoch   the channel epoch that seq belongs to
     */
    public record Position(String channel, long seq, String epoch) {
    }

    /** Formats a token from a session id, a counter and the already formatted positions. */
    static String format(String sessionId, long counter, String positions) {
        return VERSION + "!" + sessionId + "!" + counter + positions;
    }

    /** The positions part of the text form: {@code !channel~seq~epoch} per position. */
    static String formatPositions(Iterable<Position> positions) {
        StringBuilder text = new StringBuilder();
        for (Position p : positions) {
            text.append('!').append(p.channel()).append('~').append(p.seq()).append('~').append(p.epoch());
        }
        return text.toString();
    }

    @Override
    public String toString() {
        return format(sessionId, counter, formatPositions(positions));
    }

    /** Parses a token; null or empty gives null; anything malformed is a {@code bad_request} naming the defect. */
    public static Cursor parse(String text, int maxPositions) {
        if (text == null || text.isEmpty()) {
            return null;
        }
        String[] parts = text.split("!", -1);
        if (parts.length < 3 || !VERSION.equals(parts[0])) {
            throw malformed("expected 1!{session}!{counter}!{channel}~{seq}~{epoch}...");
        }
        if (parts.length - 3 > maxPositions) {
            throw malformed("more than " + maxPositions + " channels");
        }
        String sessionId = parts[1];
        if (!sessionId.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_')) {
            throw malformed("session id may only contain letters, digits and _");
        }
        long counter = number(parts[2], "counter");
        List<Position> positions = new ArrayList<>(parts.length - 3);
        for (int i = 3; i < parts.length; i++) {
            positions.add(position(parts[i]));
        }
        return new Cursor(sessionId, counter, List.copyOf(positions));
    }

    private static Position position(String text) {
        String[] fields = text.split("~", -1);
        if (fields.length != 3) {
            throw malformed("a position must be {channel}~{seq}~{epoch}, got '" + text + "'");
        }
        try {
            ChannelName.validate(fields[0]);
        } catch (ProtocolException e) {
            throw malformed(e.getMessage());
        }
        if (fields[2].isEmpty() || !fields[2].chars().allMatch(Character::isLetterOrDigit)) {
            throw malformed("epoch of " + fields[0] + " must be letters and digits");
        }
        return new Position(fields[0], number(fields[1], "seq of " + fields[0]), fields[2]);
    }

    private static long number(String text, String what) {
        try {
            long value = Long.parseLong(text);
            if (value >= 0) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw malformed(what + " must be a non-negative integer, got '" + text + "'");
    }

    private static ProtocolException malformed(String problem) {
        return ProtocolException.badRequest("malformed cursor: " + problem);
    }
}
