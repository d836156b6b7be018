-- The skill catalog (issue 20): skills are the company's own codes, with levels and, where a
-- skill needs one, a certificate that expires. The seven skills salesops started with (an enum
-- numbered 1 to 7) become the catalog's first seven codes, and every crew member and task keeps
-- the skill it had.
CREATE TABLE skills (
  skill_code    text PRIMARY KEY,
  -- The enum number of a built-in skill, so answers can still fill the superseded enum field.
  legacy_number smallint UNIQUE,
  body          bytea NOT NULL,  -- the SkillDefinition, output-only fields aside
  revision      bigint NOT NULL DEFAULT 1,
  create_time   timestamptz NOT NULL DEFAULT now(),
  update_time   timestamptz NOT NULL DEFAULT now()
);

-- Bodies: SkillDefinition{skill_code, name} in protobuf's wire format.
INSERT INTO skills (skill_code, legacy_number, body) VALUES
  ('AUDIO', 1, '\x0a05415544494f1205417564696f'),
  ('VIDEO', 2, '\x0a05564944454f1205566964656f'),
  ('LIGHTING', 3, '\x0a084c49474854494e4712084c69676874696e67'),
  ('RIGGING', 4, '\x0a0752494747494e47120752696767696e67'),
  ('STAGING', 5, '\x0a0753544147494e47120753746167696e67'),
  ('DRIVER', 6, '\x0a064452495645521206447269766572'),
  ('WAREHOUSE', 7, '\x0a0957415245484f555345120957617265686f757365');

-- Who holds what, for the queries that filter by skill (the whole member, held skills included,
-- stays in crew_members.body). Kept in the transaction that writes the member.
CREATE TABLE crew_skills (
  crew_member_id         text NOT NULL REFERENCES crew_members (crew_member_id) ON DELETE CASCADE,
  skill_code             text NOT NULL REFERENCES skills (skill_code),
  level                  integer NOT NULL DEFAULT 1 CHECK (level BETWEEN 1 AND 10),
  certificate_expiry_day date,
  PRIMARY KEY (crew_member_id, skill_code)
);
CREATE INDEX crew_skills_by_skill ON crew_skills (skill_code, level);

INSERT INTO crew_skills (crew_member_id, skill_code)
SELECT DISTINCT m.crew_member_id, s.skill_code
FROM crew_members m CROSS JOIN LATERAL unnest(m.skills) AS held(number)
JOIN skills s ON s.legacy_number = held.number;

-- The enum column is no longer written for new members.
ALTER TABLE crew_members ALTER COLUMN skills SET DEFAULT '{}';
DROP INDEX crew_members_skills;

ALTER TABLE tasks ADD COLUMN skill_code text NOT NULL DEFAULT '';
ALTER TABLE tasks ADD COLUMN min_level integer NOT NULL DEFAULT 0;
UPDATE tasks t SET skill_code = s.skill_code FROM skills s WHERE s.legacy_number = t.skill;
ALTER TABLE tasks ALTER COLUMN skill SET DEFAULT 0;
