package dev.tandem.bench;

import java.util.Arrays;

/**
 * Reads a {@code presence:diff} frame (a busy channel's member events of one batch window) from its bytes
 * ({@link FrameText}), as the generator does with every frame it times. Relies on the layout the server writes:
 * {@code payload} holds {@code joins}, {@code updates} and {@code leaves} in that order, every member object
 * starts with its {@code id}, and a member's first {@code "t":} is the generator's stamp in its state (the
 * bench's states hold no other object with an {@code id}).
 */
final class PresenceDiff {
    private static final byte[] PREFIX = FrameText.ascii("{\"type\":\"presence:diff\"");
    private static final byte[] JOINS = FrameText.ascii("\"joins\":[");
    private static final byte[] UPDATES = FrameText.ascii("\"updates\":[");
    private static final byte[] LEAVES = FrameText.ascii("\"leaves\":[");
    private static final byte[] MEMBER = FrameText.ascii("{\"id\":\"");
    private static final byte[] STAMP = FrameText.ascii("\"t\":");

    /**
     * What one diff carried.
     *
     * @param joinStamps   the stamp of each joined member, or -1 for a member whose state has none
     * @param updateStamps the stamp of each updated member, or -1
     * @param leaves       how many members left
     */
    record Entries(long[] joinStamps, long[] updateStamps, int leaves) {
    }

    private PresenceDiff() {
    }

    static boolean is(FrameText frame) {
        return frame.startsWith(PREFIX);
    }

    /** The entries of a diff frame, leaving out those of the user whose id is {@code skipId} (null keeps all). */
    static Entries read(FrameText frame, byte[] skipId) {
        int joins = frame.indexOf(JOINS, 0);
        int updates = joins < 0 ? -1 : frame.indexOf(UPDATES, joins);
        int leaves = updates < 0 ? -1 : frame.indexOf(LEAVES, updates);
        if (leaves < 0) {
            throw new IllegalArgumentException("not a presence:diff with joins, updates and leaves: " + frame.head(200));
        }
        return new Entries(stamps(frame, joins, updates, skipId), stamps(frame, updates, leaves, skipId),
                count(frame, leaves, frame.length()));
    }

    private static int count(FrameText frame, int from, int to) {
        int count = 0;
        for (int member = next(frame, from, to); member >= 0; member = next(frame, member + 1, to)) {
            count++;
        }
        return count;
    }

    /** The stamp of every member object between {@code from} and {@code to}. */
    private static long[] stamps(FrameText frame, int from, int to, byte[] skipId) {
        long[] stamps = new long[4];
        int count = 0;
        int member = next(frame, from, to);
        while (member >= 0) {
            int following = next(frame, member + 1, to);
            if (skipId == null || !isMember(frame, member, skipId)) {
                if (count == stamps.length) {
                    stamps = Arrays.copyOf(stamps, count * 2);
                }
                stamps[count++] = stampOf(frame, member, following < 0 ? to : following);
            }
            member = following;
        }
        return Arrays.copyOf(stamps, count);
    }

    private static int next(FrameText frame, int from, int to) {
        return frame.indexOf(MEMBER, from, to);
    }

    private static boolean isMember(FrameText frame, int member, byte[] id) {
        int start = member + MEMBER.length;
        return frame.matchesAt(start, id) && frame.byteAt(start + id.length) == '"';
    }

    private static long stampOf(FrameText frame, int from, int to) {
        int at = frame.indexOf(STAMP, from, to);
        return at < 0 ? -1 : frame.numberAt(at + STAMP.length);
    }
}
