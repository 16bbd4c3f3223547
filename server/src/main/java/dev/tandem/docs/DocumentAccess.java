package dev.tandem.docs;

/**
 * Whether a user may open a document. A room maps to the channel {@code doc:{room}}, so channel permissions
 * apply to documents; this is the one place they are asked.
 */
@FunctionalInterface
public interface DocumentAccess {
    /** Everyone may edit every document (until channel permissions are wired in). */
    DocumentAccess ALLOW_ALL = (userId, channel) -> true;

    boolean mayEdit(String userId, String channel);
}
