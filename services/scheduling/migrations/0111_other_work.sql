-- Work on no planned task (issue 20): hours in the warehouse, at a course or in the office are
-- timed too, for payroll and for each person's weeks against their contract. Such an entry has
-- no task and no order ('') but says what the work was (OtherWork); one per person and start.
ALTER TABLE timesheet_entries
  ALTER COLUMN task_id DROP NOT NULL,
  ADD COLUMN other_work smallint NOT NULL DEFAULT 0 CHECK (other_work BETWEEN 0 AND 4),
  ADD CONSTRAINT timesheet_entries_task_or_other_work
    CHECK ((task_id IS NULL) = (other_work <> 0));
CREATE UNIQUE INDEX timesheet_entries_other_work_once
  ON timesheet_entries (crew_member_id, start_minute) WHERE task_id IS NULL;
