-- Skills are codes of scheduling's skill catalog (issue 20): a product's crew need names the
-- skill by its code, with a minimum level. The seven built-in skills (an enum numbered 1 to 7)
-- keep their names as codes.
ALTER TABLE product_crew_needs ADD COLUMN skill_code text NOT NULL DEFAULT '';
ALTER TABLE product_crew_needs ADD COLUMN min_level integer NOT NULL DEFAULT 0;
UPDATE product_crew_needs SET skill_code = (ARRAY['AUDIO', 'VIDEO', 'LIGHTING', 'RIGGING',
                                                  'STAGING', 'DRIVER', 'WAREHOUSE'])[skill]
WHERE skill BETWEEN 1 AND 7;
ALTER TABLE product_crew_needs ALTER COLUMN skill SET DEFAULT 0;
CREATE INDEX product_crew_needs_by_skill ON product_crew_needs (skill_code);
