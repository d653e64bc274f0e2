-- Applies attempt outcomes, each only while its owner holds the lease; returns the ids applied. Jobs back in
-- pending (retried, released) wake workers: one notification per job name on channel $8.
-- $1 tags (Completed | Retry | Failed | Released) $2 ids $3 owners $4 errors $5 retry run_at $6 now
-- $7 delete completed jobs instead of keeping them $8 wake-up channel
WITH outcome AS (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[]) AS o (tag, id, owner, error, run_at)
),
held AS (
  SELECT j.id, o.tag, o.error, o.run_at
  FROM :schema.jobs AS j JOIN outcome AS o ON j.id = o.id AND j.state = 'active' AND j.lease_owner = o.owner
  FOR UPDATE OF j
),
removed AS (
  DELETE FROM :schema.jobs WHERE $7::boolean AND id IN (SELECT id FROM held WHERE tag = 'Completed')
  RETURNING id
),
updated AS (
  UPDATE :schema.jobs AS j SET
    state = CASE h.tag WHEN 'Completed' THEN 'completed' WHEN 'Failed' THEN 'failed' ELSE 'pending' END,
    finished_at = CASE WHEN h.tag IN ('Completed', 'Failed') THEN $6::bigint END,
    last_error = CASE WHEN h.tag IN ('Retry', 'Failed') THEN h.error ELSE j.last_error END,
    run_at = CASE WHEN h.tag = 'Retry' THEN h.run_at ELSE j.run_at END,
    attempts = CASE WHEN h.tag = 'Released' THEN greatest(j.attempts - 1, 0) ELSE j.attempts END,
    lease_owner = NULL,
    lease_expires_at = NULL
  FROM held AS h
  WHERE j.id = h.id AND NOT ($7::boolean AND h.tag = 'Completed')
  RETURNING j.id, j.name, j.state
),
notified AS (
  SELECT count(pg_notify($8, name)) AS sent FROM (SELECT DISTINCT name FROM updated WHERE state = 'pending') AS names
)
SELECT id FROM removed UNION ALL SELECT id FROM updated CROSS JOIN notified
