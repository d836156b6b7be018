-- Saga compensations that fence their step (issue 16): a Release naming a Reserve's request_id
-- records it here, under the order's advisory lock, and a Reserve with a recorded request_id is
-- refused (STEP_UNDONE) under the same lock. So a compensation that overtakes its step (the
-- Reserve was slow and the saga gave up on it) still leaves nothing reserved.
CREATE TABLE undone_requests (
  request_id  text PRIMARY KEY,
  order_id    text NOT NULL,
  undone_at   timestamptz NOT NULL DEFAULT now()
);
