-- Live records (dev.tandem.entities), PostgreSQL flavour (kept in step with db/h2).
-- The current version of every record; a delete removes the row (and its history).
CREATE TABLE entities (
    collection VARCHAR(128) NOT NULL,
    id         VARCHAR(128) NOT NULL,
    version    BIGINT       NOT NULL,
    data       TEXT         NOT NULL,
    created_at BIGINT       NOT NULL,
    updated_at BIGINT       NOT NULL,
    updated_by VARCHAR(255),
    PRIMARY KEY (collection, id)
);
CREATE INDEX entities_created ON entities (collection, created_at, id);
CREATE INDEX entities_updated ON entities (collection, updated_at, id);

-- Recent versions of each record (the collection's historyDepth), the bases of three-way merges.
CREATE TABLE entity_versions (
    collection VARCHAR(128) NOT NULL,
    id         VARCHAR(128) NOT NULL,
    version    BIGINT       NOT NULL,
    data       TEXT         NOT NULL,
    PRIMARY KEY (collection, id, version)
);
