-- Token revocation (dev.tandem.auth.TokenRevocations), PostgreSQL flavour (kept in step with db/h2).
-- Shared by every node on this database; each keeps a bounded in-memory copy, refreshed periodically.
-- Times are ms since the epoch.

-- One token, by its jti, until it would have expired anyway (expires_at); then the row is purged.
CREATE TABLE revoked_tokens (
    jti        VARCHAR(255) NOT NULL PRIMARY KEY,
    expires_at BIGINT       NOT NULL,
    revoked_at BIGINT       NOT NULL
);
CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

-- Every token of a user issued before issued_before (or without iat); kept until expires_at, forever when null.
CREATE TABLE revoked_users (
    user_id       VARCHAR(255) NOT NULL PRIMARY KEY,
    issued_before BIGINT       NOT NULL,
    expires_at    BIGINT,
    revoked_at    BIGINT       NOT NULL
);
CREATE INDEX revoked_users_expiry ON revoked_users (expires_at);
