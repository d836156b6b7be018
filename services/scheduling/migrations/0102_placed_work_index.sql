-- Planning is incremental: a confirmation loads only the open work placed around its job's
-- window, so finding it must cost the same with 5,000 open jobs as with none. A GiST index on
-- the span a task occupies answers "what overlaps [a, b)" directly.
CREATE INDEX tasks_placed_during ON tasks USING gist (int8range(planned_start, planned_finish))
  WHERE state IN (1, 2, 3, 5) AND planned_start IS NOT NULL;
