package dev.tandem.auth;

import dev.tandem.config.TandemConfig;
import dev.tandem.protocol.ErrorCode;
import dev.tandem.protocol.ProtocolException;
import dev.tandem.session.SessionRegistry;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Decides who a new connection is, from what its handshake carried (query parameters and headers), the same
 * way for every transport. Today: anonymous users ({@code anon-…}, or {@code ?user=NAME} in dev mode) when
 * {@code auth.anonymous} allows them; token verification plugs in here.
 */
public final class Authenticator {
    private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9_.@-]{1,64}");

    private final TandemConfig config;

    public Authenticator(TandemConfig config) {
        this.config = config;
    }

    /** The user id for a handshake; throws {@code unauthorized} when the connection may not proceed. */
    public String authenticate(Map<String, List<String>> query, HttpHeaders headers) {
        if (!config.auth().anonymous()) {
            throw new ProtocolException(ErrorCode.UNAUTHORIZED, "authentication required");
        }
        String requested = first(query, "user");
        if (requested == null || !config.dev()) {
            return SessionRegistry.anonymousUserId();
        }
        if (!USER_NAME.matcher(requested).matches()) {
            throw ProtocolException.badRequest("'user' must be 1 to 64 characters from A-Z a-z 0-9 _ . @ -");
        }
        return requested;
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }
}
