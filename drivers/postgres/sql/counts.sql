-- Jobs per state; delayed counts pending jobs due after $1.
SELECT
  count(*) FILTER (WHERE state = 'pending') AS pending,
  count(*) FILTER (WHERE state = 'pending' AND run_at > $1::bigint) AS delayed,
  count(*) FILTER (WHERE state = 'active') AS active,
  count(*) FILTER (WHERE state = 'completed') AS completed,
  count(*) FILTER (WHERE state = 'failed') AS failed,
  count(*) FILTER (WHERE state = 'cancelled') AS cancelled
FROM :schema.jobs
