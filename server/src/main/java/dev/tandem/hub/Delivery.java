package dev.tandem.hub;

import java.util.Arrays;

/**
 * How a frame travels through a connection's outbound queue: its priority lane, whether pending frames of the
 * same key may be replaced by a newer one (latest-value channels), and when it stops being worth delivering.
 * One instance per publication that expires or conflates, else one per lane ({@link #of}), shared by every
 * subscriber.
 *
 * @param lane           priority lane
 * @param conflationKey  frames with the same non-null key replace each other while queued (keep the newest)
 * @param expiresAtMillis wall-clock time after which a queued frame is dropped instead of sent; 0 = never
 */
public record Delivery(Lane lane, String conflationKey, long expiresAtMillis) {
    private static final Delivery[] PLAIN = Arrays.stream(Lane.values())
            .map(lane -> new Delivery(lane, null, 0)).toArray(Delivery[]::new);
    public static final Delivery CONTROL = of(Lane.CONTROL, null, 0);
    public static final Delivery NORMAL = of(Lane.NORMAL, null, 0);

    /**
     * The delivery with these settings: the lane's shared instance when nothing conflates or expires, so a channel
     * or a publication does not need one of its own.
     */
    public static Delivery of(Lane lane, String conflationKey, long expiresAtMillis) {
        return conflationKey == null && expiresAtMillis == 0
                ? PLAIN[lane.ordinal()] : new Delivery(lane, conflationKey, expiresAtMillis);
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
