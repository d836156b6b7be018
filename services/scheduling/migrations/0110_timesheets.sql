-- Timesheets (issue 20): the hours one person worked on one task, with their break. Reported by
-- the crew member (or by OPS for them), confirmed by a crew chief on the same task (or OPS),
-- approved (final: what payroll reads) or sent back with a reason by OPS. One entry per task and
-- person: reporting again replaces it until it is approved.
-- Times are whole minutes since the epoch, the solver's axis, as tasks keep theirs.
CREATE TABLE timesheet_entries (
  entry_id          text PRIMARY KEY,
  -- Tasks are never deleted (a re-plan cancels them), and hours worked outlive that.
  task_id           text NOT NULL REFERENCES tasks (task_id),
  order_id          text NOT NULL,
  crew_member_id    text NOT NULL REFERENCES crew_members (crew_member_id),
  start_minute      bigint NOT NULL,
  finish_minute     bigint NOT NULL,
  break_minutes     bigint NOT NULL DEFAULT 0,
  note              text NOT NULL DEFAULT '',
  state             smallint NOT NULL CHECK (state BETWEEN 1 AND 4),  -- TimesheetState
  reported_by       text NOT NULL,
  confirmed_by      text NOT NULL DEFAULT '',
  -- Who approved it, or sent it back (with rejection_reason).
  approved_by       text NOT NULL DEFAULT '',
  rejection_reason  text NOT NULL DEFAULT '',
  revision          bigint NOT NULL DEFAULT 1,  -- the etag
  create_time       timestamptz NOT NULL DEFAULT now(),
  update_time       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (task_id, crew_member_id),
  CHECK (finish_minute > start_minute AND finish_minute - start_minute <= 24 * 60),
  CHECK (break_minutes >= 0 AND break_minutes < finish_minute - start_minute)
);
-- Listings, the labour report and the payroll export read entries by when they started: all of
-- them, one person's (their weeks), or one order's.
CREATE INDEX timesheet_entries_by_start ON timesheet_entries (start_minute, entry_id);
CREATE INDEX timesheet_entries_by_member ON timesheet_entries (crew_member_id, start_minute);
CREATE INDEX timesheet_entries_by_order ON timesheet_entries (order_id, start_minute);
