package dev.tandem.client;

/** A member's or a connection's presence status (docs/presence.md, Model). */
public enum PresenceStatus {
    ONLINE, AWAY, OFFLINE;

    /** The wire name: {@code online}, {@code away}, {@code offline}. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static PresenceStatus of(String wire) {
        return switch (wire == null ? "" : wire) {
            case "online" -> ONLINE;
            case "away" -> AWAY;
            default -> OFFLINE;
        };
    }
}
