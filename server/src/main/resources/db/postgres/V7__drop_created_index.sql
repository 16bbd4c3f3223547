-- Retention finds each channel's expired events from its oldest seq (the primary key), so nothing reads
-- events by created_at alone any more; partitions are still pruned and dropped by created_at ranges.
-- One index fewer for every insert to maintain (kept in step with db/h2).
DROP INDEX events_created;
