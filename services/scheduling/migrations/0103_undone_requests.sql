-- Saga steps undone before they happened (issue 16): CancelJob with undo_request_id records the
-- PlanJob request it compensates, under the job's lock. A PlanJob that arrives or finishes
-- later finds its request_id here and writes nothing (STEP_UNDONE), so a plan that outlived its
-- caller's deadline cannot leave a stray job behind.
CREATE TABLE undone_requests (
  request_id  text PRIMARY KEY,
  order_id    text NOT NULL,
  undone_at   timestamptz NOT NULL DEFAULT now()
);
