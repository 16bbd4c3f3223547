package dev.tandem.entities;

import dev.tandem.auth.Identity;

/**
 * Who asks for a read or write of live records: a user ({@link Identity}) or the server itself (an API-key
 * caller of the HTTP API), which every policy allows.
 *
 * @param identity the user, or null for the server
 */
public record Actor(Identity identity) {
    /** The id recorded as {@code updatedBy} for writes by the server. */
    public static final String SERVER_ID = "server";
    private static final Actor SERVER = new Actor(null);

    public static Actor server() {
        return SERVER;
    }

    public static Actor user(Identity identity) {
        return new Actor(identity);
    }

    public boolean isServer() {
        return identity == null;
    }

    public String userId() {
        return identity == null ? SERVER_ID : identity.userId();
    }
}
