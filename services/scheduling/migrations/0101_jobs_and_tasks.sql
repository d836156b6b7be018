-- Jobs planned from orders, their tasks, and where the global assignment put them.
CREATE TABLE jobs (
  order_id                text PRIMARY KEY,
  order_revision          bigint NOT NULL,
  state                   smallint NOT NULL,
  tentative               boolean NOT NULL DEFAULT false,
  win_probability         double precision NOT NULL DEFAULT 1,
  plan_request            bytea NOT NULL,  -- the PlanJobRequest the tasks came from
  requested_by            timestamptz NOT NULL,
  commitment_time         timestamptz,
  commitment_meets        boolean NOT NULL DEFAULT true,
  commitment_explanation  text NOT NULL DEFAULT '',
  last_assignment_time    timestamptz,
  create_time             timestamptz NOT NULL DEFAULT now(),
  update_time             timestamptz NOT NULL DEFAULT now()
);

-- Times in whole minutes since the epoch, the solver's own axis.
CREATE TABLE tasks (
  task_id          text PRIMARY KEY,
  order_id         text NOT NULL REFERENCES jobs ON DELETE CASCADE,
  position         integer NOT NULL,
  kind             smallint NOT NULL,
  state            smallint NOT NULL,
  not_before       bigint NOT NULL,
  no_later_than    bigint NOT NULL,
  duration         bigint NOT NULL,
  skill            smallint NOT NULL,
  headcount        integer NOT NULL,
  needs_vehicle    boolean NOT NULL DEFAULT false,
  pinned           boolean NOT NULL DEFAULT false,
  predecessors     text[] NOT NULL DEFAULT '{}',
  planned_start    bigint,
  planned_finish   bigint,
  crew_ids         text[] NOT NULL DEFAULT '{}',
  vehicle_id       text NOT NULL DEFAULT '',
  late             boolean NOT NULL DEFAULT false,
  at_risk_reason   smallint NOT NULL DEFAULT 0,
  explanation      text NOT NULL DEFAULT '',
  overtime         bigint NOT NULL DEFAULT 0,
  state_note       text NOT NULL DEFAULT '',
  revision         bigint NOT NULL DEFAULT 1,
  update_time      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tasks_by_order ON tasks (order_id, position);
CREATE INDEX tasks_open ON tasks (no_later_than) WHERE state IN (1, 2, 3, 5);
