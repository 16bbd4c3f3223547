-- Kept in step with db/h2: message lookups (edit, delete) by message id alone (ids are random, so the
-- channel adds nothing to the lookup).
DROP INDEX events_message;
CREATE INDEX events_message ON events (message_id);
