-- One page of pending jobs, furthest run time first (push order, latest first, breaking ties): the ones
-- before position ($1 run_at, $2 seq), walking jobs_due backwards. Returns one job more than the page to
-- tell whether another page follows.
-- $1 $2 position $3 $4 run_at range (from inclusive, to exclusive) $5 names (null: all) $6 text in the id,
-- unique key or payload (null: any) $7 page size
SELECT * FROM :schema.jobs
WHERE state = 'pending' AND (run_at, seq) < ($1::bigint, $2::bigint) AND run_at >= $3::bigint AND run_at < $4::bigint
  AND ($5::text[] IS NULL OR name = ANY($5))
  AND ($6::text IS NULL OR strpos(id, $6) > 0 OR strpos(unique_key, $6) > 0 OR strpos(payload, $6) > 0)
ORDER BY run_at DESC, seq DESC
LIMIT $7::int + 1
