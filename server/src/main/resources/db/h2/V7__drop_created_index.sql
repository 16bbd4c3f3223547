-- Retention finds each channel's expired events from its oldest seq (the primary key), so nothing reads
-- events by created_at alone any more. On H2 every commit rewrote this index's newest page: dropping it takes
-- about a seventh of the garbage each durable message made (see docs/benchmarks.md).
DROP INDEX events_created;
