-- An order's phases (issue 17: a tour's stops, a rehearsal day and a show day) are parts of one
-- reservation, each reserved over its own window: a line already carries its own `during`, and
-- now the phase it belongs to ('' for the main part, whose window is the reservation's). One
-- code may be in several parts, so the key includes the phase. The availability indexes
-- (reservation_lines_by_end, reservation_lines_overlap) read `during` per line and are not
-- touched.
ALTER TABLE reservation_lines ADD COLUMN phase_id text NOT NULL DEFAULT '';
ALTER TABLE reservation_lines DROP CONSTRAINT reservation_lines_pkey;
ALTER TABLE reservation_lines ADD PRIMARY KEY (reservation_id, phase_id, inventory_code);
