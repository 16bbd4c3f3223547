package dev.tandem.entities;

/** What a collection does with a write based on a version that is no longer current. */
public enum ConflictStrategy {
    /** Refuse it: {@code conflict} with the current record (the default). */
    reject,
    /** Three-way, field-level merge against the base version ({@link ThreeWayMerge}). */
    merge,
    /** Apply it anyway: last write wins. */
    lww
}
