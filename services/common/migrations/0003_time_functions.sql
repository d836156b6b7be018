-- Services pass instants as microseconds since the epoch, PostgreSQL's own
-- resolution, so nothing is rounded on the way in or out.
CREATE FUNCTION us_to_ts(bigint) RETURNS timestamptz IMMUTABLE PARALLEL SAFE LANGUAGE sql
  AS $$ SELECT 'epoch'::timestamptz + $1 * interval '1 microsecond' $$;
CREATE FUNCTION ts_to_us(timestamptz) RETURNS bigint IMMUTABLE PARALLEL SAFE LANGUAGE sql
  AS $$ SELECT (extract(epoch FROM $1) * 1000000)::bigint $$;
