-- Removes at most $3 jobs in state $1 that finished before $2, oldest first; returns how many.
WITH doomed AS (
  SELECT id FROM :schema.jobs WHERE state = $1 AND finished_at < $2::bigint ORDER BY finished_at LIMIT $3::int
  FOR UPDATE SKIP LOCKED
),
removed AS (DELETE FROM :schema.jobs WHERE id IN (SELECT id FROM doomed) RETURNING 1)
SELECT count(*) AS removed FROM removed
