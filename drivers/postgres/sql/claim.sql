-- Claims up to $3 jobs for the names in $1 under a lease: ready pending jobs and active jobs whose lease
-- expired, best first (priority, run time, push order). Nothing while the queue is paused.
-- $1 names $2 now $3 limit $4 owner $5 lease ms
-- The ready scan walks jobs_ready in claim order and stops after $3 rows. When fewer than $3 jobs were
-- claimed, one more row (id NULL) carries next_run_at: the earliest delayed job or lease expiry after $2
-- (next-run-at.sql), so a short claim costs no second round trip.
WITH ready AS (
  SELECT id, priority, run_at, seq FROM :schema.jobs
  WHERE state = 'pending' AND run_at <= $2::bigint AND name = ANY($1)
  ORDER BY priority DESC, run_at, seq
  LIMIT $3::int
  FOR UPDATE SKIP LOCKED
),
expired AS (
  SELECT id, priority, run_at, seq FROM :schema.jobs
  WHERE state = 'active' AND lease_expires_at <= $2::bigint AND name = ANY($1)
  ORDER BY lease_expires_at
  LIMIT $3::int
  FOR UPDATE SKIP LOCKED
),
chosen AS (
  SELECT id FROM (SELECT * FROM ready UNION ALL SELECT * FROM expired) AS candidates
  WHERE NOT (SELECT paused FROM :schema.queue_state)
  ORDER BY priority DESC, run_at, seq
  LIMIT $3::int
),
claimed AS (
  UPDATE :schema.jobs AS j
  SET state = 'active', attempts = j.attempts + 1, started_at = $2::bigint, lease_owner = $4::text,
    lease_expires_at = $2::bigint + $5::bigint
  FROM chosen
  WHERE j.id = chosen.id
  RETURNING j.id, j.name, j.payload, j.attempts, j.max_attempts, j.created_at, j.run_at, j.priority, j.seq
)
SELECT *, NULL::bigint AS next_run_at FROM claimed
UNION ALL
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, (:next-run-at)
WHERE (SELECT count(*) FROM claimed) < $3::int
