package dev.tandem.config;

import java.time.Duration;

/**
 * Who may connect, and how long an unauthenticated or expired connection may linger. Anonymous connections
 * are accepted in dev mode, and in production only when some namespace's {@code access} lists
 * {@code anonymous}.
 *
 * @param jwt            how tokens are verified
 * @param connectTimeout a connection that had no token in its handshake must send {@code connect} within this
 * @param expiryGrace    after its token expires a connection gets {@code error unauthorized}, and is closed
 *                       with 4001 unless it sends {@code refresh} within this
 */
public record AuthConfig(JwtConfig jwt, Duration connectTimeout, Duration expiryGrace) {
}
