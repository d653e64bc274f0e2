-- Moves failed or cancelled job $1 back to pending, due at $2, attempts reset. Its unique key stays only if
-- no live job holds it. Returns a row when it moved, and then wakes workers on channel $3.
UPDATE :schema.jobs AS j SET
  state = 'pending', attempts = 0, run_at = $2::bigint, finished_at = NULL,
  unique_key = CASE WHEN EXISTS (
    SELECT 1 FROM :schema.jobs AS live WHERE live.unique_key = j.unique_key AND live.state IN ('pending', 'active')
  ) THEN NULL ELSE j.unique_key END
WHERE j.id = $1 AND j.state IN ('failed', 'cancelled')
RETURNING pg_notify($3, j.name)
