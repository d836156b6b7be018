-- reservation_lines_by_end reads every active line of a code that ends after the window
-- starts: cheap when the book is mostly history, but a year of future bookings is read on
-- every check. The GiST index finds the lines that overlap the window, whatever lies before
-- or after it; the planner takes whichever of the two reads less.
CREATE INDEX reservation_lines_overlap ON reservation_lines USING gist (inventory_code, during)
  WHERE active;
