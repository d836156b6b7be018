-- Order-intake owns orders: every revision kept, every action in the history,
-- questions and change records on the order (DESIGN.md §3 "order-intake").

-- Order numbers people can say on the phone: 1001, 1002, ...
CREATE SEQUENCE order_numbers START 1001;

-- The current order (salesops.v1.Order, stored fields only), with the
-- columns listings filter on.
CREATE TABLE orders (
  order_id                text PRIMARY KEY,
  revision                bigint NOT NULL,
  stage                   text NOT NULL,
  salesperson_id          text NOT NULL,
  customer_id             text NOT NULL DEFAULT '',
  customer_name           text NOT NULL,
  deliver_by              timestamptz NOT NULL,
  win_probability         float8 NOT NULL DEFAULT 0,
  open_blocking_questions integer NOT NULL DEFAULT 0,
  unacknowledged_changes  integer NOT NULL DEFAULT 0,
  total_micros            bigint NOT NULL DEFAULT 0,
  body                    bytea NOT NULL,
  -- A confirmation or change in flight holds the order until then, so two
  -- sagas never run on one order at once (a crashed one lets go by itself).
  saga_until              timestamptz,
  created_at              timestamptz NOT NULL DEFAULT now(),
  updated_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_stage ON orders (stage, order_id);
CREATE INDEX orders_deliver_by ON orders (deliver_by);
CREATE INDEX orders_salesperson ON orders (salesperson_id, order_id);

-- Every content revision as it was: nothing is overwritten.
CREATE TABLE order_revisions (
  order_id   text NOT NULL REFERENCES orders,
  revision   bigint NOT NULL,
  body       bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (order_id, revision)
);

-- Every audited action (salesops.v1.HistoryEntry), oldest first.
CREATE TABLE order_history (
  entry_id   bigserial PRIMARY KEY,
  order_id   text NOT NULL REFERENCES orders,
  entry      bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_history_order ON order_history (order_id, entry_id);

-- Events received through EventSink, so a redelivery changes nothing.
CREATE TABLE processed_events (
  event_id    text PRIMARY KEY,
  order_id    text,
  received_at timestamptz NOT NULL DEFAULT now()
);
