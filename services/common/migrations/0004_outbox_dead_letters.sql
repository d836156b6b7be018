-- An event notification refuses for good (INVALID_ARGUMENT: as written, it will never be
-- accepted) is set aside instead of being offered forever: the relay marks it dead-lettered,
-- keeps the refusal in last_error and claims it no more. It stays until a person re-queues it
-- (dead_lettered_at = NULL, next_attempt_at = now()) or deletes it; it is never cleaned up
-- with the sent rows.
ALTER TABLE outbox ADD COLUMN dead_lettered_at timestamptz;

DROP INDEX outbox_pending;
CREATE INDEX outbox_pending ON outbox (next_attempt_at)
  WHERE sent_at IS NULL AND dead_lettered_at IS NULL;
