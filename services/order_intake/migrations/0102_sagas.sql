-- The confirm, amend and cancel sagas (README, "The confirm saga"): a row written before the first
-- remote step, updated as each step succeeds, and ended in the same transaction as the
-- order's final write (finished) or once every step is undone (compensated). A row whose
-- lease has expired belongs to a process that died or to a compensation due for a retry:
-- the recovery sweep claims it and finishes or undoes it (a cancellation always finishes).
CREATE TABLE sagas (
  saga_id        text PRIMARY KEY,
  order_id       text NOT NULL REFERENCES orders,
  kind           text NOT NULL CHECK (kind IN ('confirm', 'amend', 'cancel', 'repair')),
  base_revision  bigint NOT NULL,
  step_revision  bigint NOT NULL,
  state          text NOT NULL
                 CHECK (state IN ('running', 'compensating', 'finished', 'compensated')),
  -- The last remote step known to have succeeded: 0 none, 1 stock reserved, 2 job planned.
  progress       integer NOT NULL DEFAULT 0,
  lease_until    timestamptz NOT NULL,
  attempts       integer NOT NULL DEFAULT 0,
  last_error     text NOT NULL DEFAULT '',
  actor          bytea NOT NULL,            -- salesops.v1.Actor
  request_id     text NOT NULL DEFAULT '',
  accept_later   boolean NOT NULL DEFAULT false,
  reason         text NOT NULL DEFAULT '',
  target         bytea,                     -- salesops.v1.Order (a change's result)
  impact         bytea,                     -- salesops.v1.ChangeImpact
  commitment     bytea,                     -- salesops.v1.Commitment, once planned
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now()
);
-- One open saga per order: a second confirmation or change waits its turn.
CREATE UNIQUE INDEX sagas_one_open_per_order ON sagas (order_id)
  WHERE state IN ('running', 'compensating');
CREATE INDEX sagas_open_by_lease ON sagas (lease_until)
  WHERE state IN ('running', 'compensating');
CREATE INDEX sagas_order ON sagas (order_id, created_at);

-- orders.saga_until held an order for a saga before sagas had rows; the open row does now.
-- The column stays (unused) so a replica of the previous release keeps working during a
-- rolling upgrade.
