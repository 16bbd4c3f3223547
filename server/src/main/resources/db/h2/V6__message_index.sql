-- Message lookups (edit, delete) by message id alone: ids are random, so the channel adds nothing to the
-- lookup, and publications (message_id NULL) then share one end of the index instead of one leaf per channel.
-- On H2 every commit rewrites each index page it touched, so a batch over many channels wrote one extra page
-- per channel here.
DROP INDEX events_message;
CREATE INDEX events_message ON events (message_id);
