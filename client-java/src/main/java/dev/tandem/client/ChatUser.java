package dev.tandem.client;

/**
 * A chat participant as the server names them in typing events and receipt summaries.
 *
 * @param userId the user id
 * @param name   their display name (the token's {@code name} claim, else the user id)
 */
public record ChatUser(String userId, String name) {
}
