-- AIP-155: a mutation retried with the same request_id returns the first
-- answer instead of acting twice. The hash of the request body catches a
-- request_id reused for a different request.
CREATE TABLE idempotency_keys (
  method       text NOT NULL,
  request_id   text NOT NULL,
  request_hash text NOT NULL,
  response     bytea NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (method, request_id)
);
