-- Tandem durable store, PostgreSQL flavour (kept in step with db/h2).
CREATE TABLE store_meta (id INT PRIMARY KEY, epoch VARCHAR(32) NOT NULL);

-- One row per channel: the last allocated seq, bumped in the transaction that inserts the events.
CREATE TABLE channel_seq (channel VARCHAR(255) PRIMARY KEY, seq BIGINT NOT NULL);

-- Partitioned by month on created_at (ms since the epoch): monthly partitions are created ahead by the
-- store and dropped once expired (their rows archived first). The primary key must include the partition
-- key; (channel, seq) stays unique because seqs come from channel_seq.
CREATE TABLE events (
    channel       VARCHAR(255) NOT NULL,
    seq           BIGINT       NOT NULL,
    type          VARCHAR(32)  NOT NULL,
    message_id    VARCHAR(40),
    payload       TEXT         NOT NULL,
    user_id       VARCHAR(255),
    client_msg_id VARCHAR(128),
    created_at    BIGINT       NOT NULL,
    edited_at     BIGINT,
    deleted_at    BIGINT,
    PRIMARY KEY (channel, seq, created_at)
) PARTITION BY RANGE (created_at);
CREATE TABLE events_default PARTITION OF events DEFAULT;
CREATE INDEX events_message ON events (channel, message_id);
CREATE INDEX events_created ON events (created_at);

-- Idempotency keys of message.send, kept for chat.idempotencyWindow.
CREATE TABLE client_msg_ids (
    channel       VARCHAR(255) NOT NULL,
    client_msg_id VARCHAR(128) NOT NULL,
    message_id    VARCHAR(40)  NOT NULL,
    seq           BIGINT,
    created_at    BIGINT       NOT NULL,
    PRIMARY KEY (channel, client_msg_id)
);

CREATE TABLE receipts (
    channel         VARCHAR(255) NOT NULL,
    user_id         VARCHAR(255) NOT NULL,
    delivered_up_to BIGINT       NOT NULL,
    read_up_to      BIGINT       NOT NULL,
    updated_at      BIGINT       NOT NULL,
    PRIMARY KEY (channel, user_id)
);
CREATE INDEX receipts_user ON receipts (user_id);
