-- Notification owns: events received, subscriptions, notifications (per
-- recipient inbox and stream), deliveries and their attempts, dead letters
-- (DESIGN.md §3 "notification").

-- Every event published, once: the event id is the deduplication key of the
-- at-least-once relays.
CREATE TABLE events (
  event_id       text PRIMARY KEY,
  event_type     text NOT NULL,
  order_id       text,
  source_service text NOT NULL,
  occur_time     timestamptz NOT NULL,
  payload        bytea NOT NULL,  -- serialized salesops.v1.Event
  received_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX events_order ON events (order_id) WHERE order_id IS NOT NULL;

-- Who hears about what, and how. Matchers are ANDed; an empty event_types
-- array matches every type. Deleting keeps the row (deliveries refer to it).
CREATE TABLE subscriptions (
  subscription_id    text PRIMARY KEY,
  display_name       text NOT NULL DEFAULT '',
  event_types        text[] NOT NULL DEFAULT '{}',
  order_id           text,
  role               text,
  person_id          text,
  channel            text NOT NULL CHECK (channel IN ('INBOX', 'STREAM', 'WEBHOOK', 'SERVICE')),
  webhook_url        text,
  webhook_secret     text,
  service_address    text,
  -- Built-in "ops hears about amendments after prep started": only events
  -- whose payload says the warehouse had begun pulling.
  prep_underway_only boolean NOT NULL DEFAULT false,
  built_in           boolean NOT NULL DEFAULT false,
  created_by_id      text NOT NULL,
  created_by_role    text NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  deleted_at         timestamptz,
  CHECK ((channel IN ('INBOX', 'STREAM')) = (role IS NOT NULL OR person_id IS NOT NULL)),
  CHECK ((channel = 'WEBHOOK') = (webhook_url IS NOT NULL AND webhook_secret IS NOT NULL)),
  CHECK ((channel = 'SERVICE') = (service_address IS NOT NULL))
);

-- One row per event and recipient (a person, or everyone with a role), read
-- by the inbox (channel INBOX) and by the live stream (both channels).
-- writer_xid orders the stream: a row becomes part of it once every
-- transaction older than its writer has ended, so a cursor never skips a row
-- that commits late (see PostgresNotificationStore::ReadFeed).
CREATE TABLE notifications (
  notification_id bigserial PRIMARY KEY,
  writer_xid      xid8 NOT NULL DEFAULT pg_current_xact_id(),
  event_id        text NOT NULL REFERENCES events,
  subscription_id text NOT NULL REFERENCES subscriptions,
  channel         text NOT NULL CHECK (channel IN ('INBOX', 'STREAM')),
  recipient_kind  text NOT NULL CHECK (recipient_kind IN ('person', 'role')),
  recipient       text NOT NULL,
  event_type      text NOT NULL,
  order_id        text,
  summary         text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  UNIQUE (event_id, recipient_kind, recipient)
);
CREATE INDEX notifications_inbox ON notifications (recipient_kind, recipient, notification_id);
CREATE INDEX notifications_feed ON notifications (recipient_kind, recipient, writer_xid,
                                                  notification_id);

-- Read marks are per person, also on notifications addressed to a role.
CREATE TABLE notification_acks (
  notification_id bigint NOT NULL REFERENCES notifications ON DELETE CASCADE,
  person_id       text NOT NULL,
  acked_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (notification_id, person_id)
);

-- Webhook and service deliveries: pending until delivered, refused (final
-- answer from the receiver) or dead (attempts exhausted, listed as a dead
-- letter until retried).
CREATE TABLE deliveries (
  delivery_id     bigserial PRIMARY KEY,
  event_id        text NOT NULL REFERENCES events,
  subscription_id text NOT NULL REFERENCES subscriptions,
  channel         text NOT NULL CHECK (channel IN ('WEBHOOK', 'SERVICE')),
  state           text NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'delivered', 'refused', 'dead')),
  attempts        integer NOT NULL DEFAULT 0,
  attempt_limit   integer NOT NULL,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
  finished_at     timestamptz,
  dead_at         timestamptz,
  retried_at      timestamptz,
  UNIQUE (event_id, subscription_id)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at, delivery_id) WHERE state = 'pending';
CREATE INDEX deliveries_dead ON deliveries (delivery_id) WHERE dead_at IS NOT NULL;

-- The delivery log: every attempt, its answer and how long it took.
CREATE TABLE delivery_attempts (
  delivery_id  bigint NOT NULL REFERENCES deliveries ON DELETE CASCADE,
  attempt      integer NOT NULL,
  attempt_time timestamptz NOT NULL DEFAULT clock_timestamp(),
  http_status  integer NOT NULL DEFAULT 0,
  error        text NOT NULL DEFAULT '',
  latency_us   bigint NOT NULL,
  PRIMARY KEY (delivery_id, attempt)
);

-- Out of the box: ops hears about amendments after prep started, cancellations
-- and open questions; sales hears about shortages, tasks at risk, and the
-- questions it must answer. Both see the answers. ADMIN may delete them.
INSERT INTO subscriptions (subscription_id, display_name, event_types, role, channel,
                           prep_underway_only, built_in, created_by_id, created_by_role)
VALUES
  ('builtin-ops-changes-after-prep', 'Ops: order changes after prep started',
   '{EVENT_TYPE_ORDER_AMENDED}', 'ROLE_OPS', 'INBOX', true, true, 'salesops', 'ROLE_SERVICE'),
  ('builtin-ops-cancellations', 'Ops: cancelled orders',
   '{EVENT_TYPE_ORDER_CANCELLED}', 'ROLE_OPS', 'INBOX', false, true, 'salesops', 'ROLE_SERVICE'),
  ('builtin-ops-questions', 'Ops: questions on orders and their answers',
   '{EVENT_TYPE_QUESTION_ASKED,EVENT_TYPE_QUESTION_ANSWERED}', 'ROLE_OPS', 'INBOX', false, true, 'salesops', 'ROLE_SERVICE'),
  ('builtin-sales-shortages', 'Sales: shortages on confirmed orders',
   '{EVENT_TYPE_SHORTAGE_DETECTED}', 'ROLE_SALES', 'INBOX', false, true, 'salesops',
   'ROLE_SERVICE'),
  ('builtin-sales-at-risk', 'Sales: tasks at risk of missing their commitment',
   '{EVENT_TYPE_TASK_AT_RISK}', 'ROLE_SALES', 'INBOX', false, true, 'salesops', 'ROLE_SERVICE'),
  ('builtin-sales-questions', 'Sales: questions to answer, and answers given',
   '{EVENT_TYPE_QUESTION_ASKED,EVENT_TYPE_QUESTION_ANSWERED}', 'ROLE_SALES', 'INBOX', false,
   true, 'salesops', 'ROLE_SERVICE');
