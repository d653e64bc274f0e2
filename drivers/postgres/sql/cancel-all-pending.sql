-- Cancels up to $7 pending jobs, as cancel.sql does: the next due first, after position ($1 run_at, $2 seq).
-- Returns the position of each job examined: the ones cancelled and one more, if any, telling that more
-- follow. Jobs another statement is changing are waited for, not skipped, so a call cancels every matching
-- job it passes.
-- $1 $2 position $3 $4 run_at range (from inclusive, to exclusive) $5 names (null: all) $6 text in the id,
-- unique key or payload (null: any) $7 limit $8 now
WITH examined AS (
  SELECT id, run_at AS state_time, seq FROM :schema.jobs
  WHERE state = 'pending' AND (run_at, seq) > ($1::bigint, $2::bigint) AND run_at >= $3::bigint AND run_at < $4::bigint
    AND ($5::text[] IS NULL OR name = ANY($5))
    AND ($6::text IS NULL OR strpos(id, $6) > 0 OR strpos(unique_key, $6) > 0 OR strpos(payload, $6) > 0)
  ORDER BY run_at, seq
  LIMIT $7::int + 1
  FOR UPDATE
),
cancelled AS (
  UPDATE :schema.jobs AS j SET state = 'cancelled', finished_at = $8::bigint, lease_owner = NULL, lease_expires_at = NULL
  FROM (SELECT id FROM examined ORDER BY state_time, seq LIMIT $7::int) AS batch
  WHERE j.id = batch.id
)
SELECT state_time, seq FROM examined ORDER BY state_time, seq
