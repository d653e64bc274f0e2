-- Removes at most $3 jobs in state $1 beyond the $2 that finished last; returns how many.
-- Walks jobs_finished backwards from the newest, past the kept ones, to the batch to remove (jobs that
-- finished in the same millisecond as the last kept one may go either way).
WITH doomed AS (
  SELECT id FROM :schema.jobs WHERE state = $1
  ORDER BY finished_at DESC
  OFFSET $2::int LIMIT $3::int
  FOR UPDATE SKIP LOCKED
),
removed AS (DELETE FROM :schema.jobs WHERE id IN (SELECT id FROM doomed) RETURNING 1)
SELECT count(*) AS removed FROM removed
