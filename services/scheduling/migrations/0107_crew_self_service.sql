-- Crew self-service (issue 20). A CREW token acts as the crew member whose person_id is the
-- token's actor id, so the id is a column beside the stored message, unique among members.
-- '' is "no person". Members stored before this have it only inside `body` (NULL here): the
-- service copies it from there once, at start (PostgresSchedulingStore::BackfillCrewPersonIds).
ALTER TABLE crew_members ADD COLUMN person_id text;
CREATE UNIQUE INDEX crew_members_person_id ON crew_members (person_id) WHERE person_id <> '';

-- What crew may do for themselves (ADMIN sets it): one row, the CrewRules message without its
-- output-only fields; an empty body is every rule unset.
CREATE TABLE crew_rules (
  singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  body         bytea NOT NULL,
  revision     bigint NOT NULL DEFAULT 1,
  update_time  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO crew_rules (body) VALUES ('');
