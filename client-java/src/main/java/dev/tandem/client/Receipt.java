package dev.tandem.client;

/**
 * A user told the channel how far they have read or received (docs/chat.md, Receipts).
 *
 * @param userId who
 * @param name   their display name (the token's {@code name} claim, else the user id)
 * @param kind   read or delivered
 * @param upTo   the seq position
 */
public record Receipt(String userId, String name, Kind kind, long upTo) {

    /** What the position means. */
    public enum Kind {
        DELIVERED, READ;

        String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * A user's positions as the room has heard them.
     *
     * @param read      seq read up to
     * @param delivered seq received up to (never below {@code read})
     */
    public record Position(long read, long delivered) {
    }
}
