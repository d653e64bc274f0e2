-- Moves up to $7 jobs of state $8 (failed or cancelled) back to pending, due at $9 with attempts reset, as
-- retry.sql does: the earliest finished first, after position ($1 finished_at, $2 seq). A unique key stays
-- only with the batch's first job holding it, and only if no live job holds it. Wakes workers on channel
-- $10, once per job name. Returns the position of each job examined: the ones moved and one more, if any,
-- telling that more follow. Jobs another statement is changing are waited for, not skipped, so a call moves
-- every matching job it passes.
-- $1 $2 position $3 $4 finished_at range (from inclusive, to exclusive) $5 names (null: all) $6 text in the
-- id, unique key or payload (null: any) $7 limit $8 state $9 now $10 wake-up channel
WITH examined AS (
  SELECT id, unique_key, finished_at AS state_time, seq FROM :schema.jobs
  WHERE state = $8 AND state IN ('failed', 'cancelled')
    AND (finished_at, seq) > ($1::bigint, $2::bigint) AND finished_at >= $3::bigint AND finished_at < $4::bigint
    AND ($5::text[] IS NULL OR name = ANY($5))
    AND ($6::text IS NULL OR strpos(id, $6) > 0 OR strpos(unique_key, $6) > 0 OR strpos(payload, $6) > 0)
  ORDER BY finished_at, seq
  LIMIT $7::int + 1
  FOR UPDATE
),
batch AS (
  SELECT id, row_number() OVER (PARTITION BY unique_key ORDER BY state_time, seq) AS key_rank
  FROM examined ORDER BY state_time, seq LIMIT $7::int
),
retried AS (
  UPDATE :schema.jobs AS j SET
    state = 'pending', attempts = 0, run_at = $9::bigint, finished_at = NULL,
    unique_key = CASE WHEN b.key_rank > 1 OR EXISTS (
      SELECT 1 FROM :schema.jobs AS live WHERE live.unique_key = j.unique_key AND live.state IN ('pending', 'active')
    ) THEN NULL ELSE j.unique_key END
  FROM batch AS b
  WHERE j.id = b.id
  RETURNING j.name
),
notified AS (
  SELECT count(pg_notify($10, name)) AS sent FROM (SELECT DISTINCT name FROM retried) AS names
)
SELECT state_time, seq FROM examined CROSS JOIN notified ORDER BY state_time, seq
