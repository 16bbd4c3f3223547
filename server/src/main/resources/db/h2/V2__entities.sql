-- Live records (dev.tandem.entities), H2 flavour (kept in step with db/postgres).
-- The current version of every record; a delete removes the row (and its history).
CREATE TABLE entities (
    collection VARCHAR(128)           NOT NULL,
    id         VARCHAR(128)           NOT NULL,
    version    BIGINT                 NOT NULL,
    data       VARCHAR(1000000000)    NOT NULL,
    created_at BIGINT                 NOT NULL,
    updated_at BIGINT                 NOT NULL,
    updated_by VARCHAR(255),
    PRIMARY KEY (collection, id)
);
CREATE INDEX entities_created ON entities (collection, created_at, id);
CREATE INDEX entities_updated ON entities (collection, updated_at, id);

-- Recent versions of each record (the collection's historyDepth), the bases of three-way merges.
CREATE TABLE entity_versions (
    collection VARCHAR(128)           NOT NULL,
    id         VARCHAR(128)           NOT NULL,
    version    BIGINT                 NOT NULL,
    data       VARCHAR(1000000000)    NOT NULL,
    PRIMARY KEY (collection, id, version)
);

-- Change events carry whole records (up to entities.maxDocumentBytes, 1 MiB by default).
ALTER TABLE events ALTER COLUMN payload SET DATA TYPE VARCHAR(1000000000);
