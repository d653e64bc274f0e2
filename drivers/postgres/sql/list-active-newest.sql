-- One page of active jobs, latest started first (push order, latest first, breaking ties): the ones before
-- position ($1 started_at, $2 seq). Active jobs are few (as many as workers run), so they are read from
-- jobs_leased and sorted. Returns one job more than the page to tell whether another page follows.
-- $1 $2 position $3 $4 started_at range (from inclusive, to exclusive) $5 names (null: all) $6 text in the
-- id, unique key or payload (null: any) $7 page size
SELECT * FROM :schema.jobs
WHERE state = 'active' AND (started_at, seq) < ($1::bigint, $2::bigint)
  AND started_at >= $3::bigint AND started_at < $4::bigint
  AND ($5::text[] IS NULL OR name = ANY($5))
  AND ($6::text IS NULL OR strpos(id, $6) > 0 OR strpos(unique_key, $6) > 0 OR strpos(payload, $6) > 0)
ORDER BY started_at DESC, seq DESC
LIMIT $7::int + 1
