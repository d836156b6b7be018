-- Calendar feeds (issue 20): each crew member's schedule as an iCalendar feed at a secret URL.
-- The URL is signed under the installation's key over the member and this generation, and is
-- stored nowhere; a reset bumps the generation, so every URL made before stops working at once.
ALTER TABLE crew_members
  ADD COLUMN calendar_generation bigint NOT NULL DEFAULT 1 CHECK (calendar_generation > 0);

-- A feed reads one person's work, done and open, over seven months: found through who is on a
-- task (crew_ids @> ARRAY[member]) rather than by reading every task in the range.
CREATE INDEX tasks_by_crew_member ON tasks USING gin (crew_ids);
