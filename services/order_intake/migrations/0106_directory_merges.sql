-- Merged duplicates (issue 17 item 1): a record merged into another keeps its row and all its
-- revisions (orders may refer to it); this column, a copy of the body's merged_into_id, lets
-- listings leave merged records out.
ALTER TABLE organisations ADD COLUMN merged_into_id text REFERENCES organisations;
ALTER TABLE venues ADD COLUMN merged_into_id text REFERENCES venues;
