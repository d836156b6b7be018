-- Phases of one job (issue 17): a rehearsal day and a show day, the stops of a tour, each with
-- its own window. A job stays one order; its tasks say which phase they serve ('' for the main
-- phase, whose commitment stays on jobs), and each further phase keeps its own commitment here.
ALTER TABLE tasks ADD COLUMN phase_id text NOT NULL DEFAULT '';

CREATE TABLE job_phases (
  order_id                text NOT NULL REFERENCES jobs ON DELETE CASCADE,
  phase_id                text NOT NULL,
  position                integer NOT NULL,
  requested_by            timestamptz NOT NULL,
  commitment_time         timestamptz,
  commitment_meets        boolean NOT NULL DEFAULT true,
  commitment_explanation  text NOT NULL DEFAULT '',
  PRIMARY KEY (order_id, phase_id)
);
