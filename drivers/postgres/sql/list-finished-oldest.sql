-- One page of jobs in finished state $8, earliest finished first (push order breaking ties): the ones after
-- position ($1 finished_at, $2 seq), walking jobs_finished (the states spelled out let every plan use that
-- index). Returns one job more than the page to tell whether another page follows.
-- $1 $2 position $3 $4 finished_at range (from inclusive, to exclusive) $5 names (null: all) $6 text in the
-- id, unique key or payload (null: any) $7 page size $8 state
SELECT * FROM :schema.jobs
WHERE state = $8 AND state IN ('completed', 'failed', 'cancelled')
  AND (finished_at, seq) > ($1::bigint, $2::bigint) AND finished_at >= $3::bigint AND finished_at < $4::bigint
  AND ($5::text[] IS NULL OR name = ANY($5))
  AND ($6::text IS NULL OR strpos(id, $6) > 0 OR strpos(unique_key, $6) > 0 OR strpos(payload, $6) > 0)
ORDER BY finished_at, seq
LIMIT $7::int + 1
