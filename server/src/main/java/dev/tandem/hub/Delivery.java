package dev.tandem.hub;

/**
 * How a frame travels through a connection's outbound queue: its priority lane, whether pending frames of the
 * same key may be replaced by a newer one (latest-value channels), and when it stops being worth delivering.
 * One instance per publication (or per lane for replies), shared by every subscriber.
 *
 * @param lane           priority lane
 * @param conflationKey  frames with the same non-null key replace each other while queued (keep the newest)
 * @param expiresAtMillis wall-clock time after which a queued frame is dropped instead of sent; 0 = never
 */
public record Delivery(Lane lane, String conflationKey, long expiresAtMillis) {
    public static final Delivery CONTROL = new Delivery(Lane.CONTROL, null, 0);
    public static final Delivery NORMAL = new Delivery(Lane.NORMAL, null, 0);
    private static final Delivery[] PLAIN = {CONTROL, new Delivery(Lane.HIGH, null, 0), NORMAL,
            new Delivery(Lane.LOW, null, 0)};

    /** The shared delivery of a lane with no conflation key and no expiry (one object per lane, not per channel). */
    public static Delivery plain(Lane lane) {
        return PLAIN[lane.ordinal()];
    }

    /** Whether the frame is past its expiry at {@code nowMillis}. */
    public boolean expired(long nowMillis) {
        return expiresAtMillis != 0 && nowMillis > expiresAtMillis;
    }

    /**
     * Outbound priority, highest first. Control frames (replies, errors, pongs, presence sync) overtake queued
     * publications; {@code LOW} frames are the first dropped when a connection falls behind.
     */
    public enum Lane {
        CONTROL, HIGH, NORMAL, LOW
    }
}
