package dev.tandem.bench;

import java.util.Arrays;

/**
 * Reads a {@code presence:diff} frame (a busy channel's member events of one batch window) without decoding it,
 * as the generator does with every frame it times, since it shares the cores with the server under test. Relies
 * on the layout the server writes: {@code payload} holds {@code joins}, {@code updates} and {@code leaves} in that
 * order, every member object starts with its {@code id}, and a member's first {@code "t":} is the generator's
 * stamp in its state (the bench's states hold no other object with an {@code id}).
 */
final class PresenceDiff {
    /** How every {@code presence:diff} frame begins. */
    static final String PREFIX = "{\"type\":\"presence:diff\"";

    private static final String MEMBER = "{\"id\":\"";

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

    static boolean is(String frame) {
        return frame.startsWith(PREFIX);
    }

    /** The entries of a diff frame, leaving out those of user {@code skipId} (null keeps all). */
    static Entries read(String frame, String skipId) {
        int joins = frame.indexOf("\"joins\":[");
        int updates = frame.indexOf("\"updates\":[", joins);
        int leaves = frame.indexOf("\"leaves\":[", updates);
        if (joins < 0 || updates < 0 || leaves < 0) {
            throw new IllegalArgumentException("not a presence:diff with joins, updates and leaves: " + frame);
        }
        return new Entries(stamps(frame, joins, updates, skipId), stamps(frame, updates, leaves, skipId),
                count(frame, leaves, frame.length()));
    }

    private static int count(String frame, int from, int to) {
        int count = 0;
        for (int member = next(frame, from, to); member >= 0; member = next(frame, member + 1, to)) {
            count++;
        }
        return count;
    }

    /** The stamp of every member object between {@code from} and {@code to}. */
    private static long[] stamps(String frame, int from, int to, String skipId) {
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

    private static int next(String frame, int from, int to) {
        int at = frame.indexOf(MEMBER, from);
        return at >= 0 && at < to ? at : -1;
    }

    private static boolean isMember(String frame, int member, String id) {
        int start = member + MEMBER.length();
        return frame.startsWith(id, start) && frame.startsWith("\"", start + id.length());
    }

    private static long stampOf(String frame, int from, int to) {
        int at = frame.indexOf("\"t\":", from);
        if (at < 0 || at >= to) {
            return -1;
        }
        long stamp = 0;
        for (int i = at + 4; i < to && Character.isDigit(frame.charAt(i)); i++) {
            stamp = stamp * 10 + (frame.charAt(i) - '0');
        }
        return stamp;
    }
}
