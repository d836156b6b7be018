-- Scheduling: who can do the work, and when they cannot.
CREATE EXTENSION IF NOT EXISTS btree_gist;

-- The API message is kept whole (body) so every field round-trips; the
-- columns beside it are what listings filter on.
CREATE TABLE crew_members (
  crew_member_id     text PRIMARY KEY,
  display_name       text NOT NULL,
  skills             smallint[] NOT NULL,
  home_warehouse_id  text NOT NULL DEFAULT '',
  active             boolean NOT NULL DEFAULT true,
  body               bytea NOT NULL,
  revision           bigint NOT NULL DEFAULT 1,
  create_time        timestamptz NOT NULL DEFAULT now(),
  update_time        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crew_members_skills ON crew_members USING gin (skills);

CREATE TABLE vehicles (
  vehicle_id         text PRIMARY KEY,
  display_name       text NOT NULL,
  vehicle_class      smallint NOT NULL,
  home_warehouse_id  text NOT NULL DEFAULT '',
  active             boolean NOT NULL DEFAULT true,
  body               bytea NOT NULL,
  revision           bigint NOT NULL DEFAULT 1,
  create_time        timestamptz NOT NULL DEFAULT now(),
  update_time        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE unavailability (
  unavailability_id  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  crew_member_id     text REFERENCES crew_members,
  vehicle_id         text REFERENCES vehicles,
  kind               smallint NOT NULL DEFAULT 0,
  during             tstzrange NOT NULL,
  reason             text NOT NULL DEFAULT '',
  created_by         text NOT NULL DEFAULT '',
  create_time        timestamptz NOT NULL DEFAULT now(),
  CHECK ((crew_member_id IS NULL) <> (vehicle_id IS NULL))
);
CREATE INDEX unavailability_crew ON unavailability USING gist (crew_member_id, during);
CREATE INDEX unavailability_vehicle ON unavailability USING gist (vehicle_id, during);
