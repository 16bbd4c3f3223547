-- Retention forgets client message ids older than chat.idempotencyWindow once per pass; without an index that
-- was a full scan of a table holding a day of chat sends. A chat send is rare next to a publish, so the insert
-- it adds to each send is cheap. (Kept in step with the other store's migration.)
CREATE INDEX client_msg_ids_created ON client_msg_ids (created_at);
