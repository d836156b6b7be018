-- Events a service emits, written in the same transaction as the state change
-- they describe; a relay sends them to notification and marks them sent
-- (DESIGN.md "Events: nothing lost"). Replicas share the work with
-- SELECT ... FOR UPDATE SKIP LOCKED on the pending index.
CREATE TABLE outbox (
  id              bigserial PRIMARY KEY,
  event_id        uuid NOT NULL UNIQUE,
  event_type      text NOT NULL,
  order_id        text,
  payload         bytea NOT NULL,  -- serialized salesops.v1.Event
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz,
  attempts        integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  last_error      text
);

CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL;
