-- When more work may become claimable for the names in $1 without a wake-up: the earliest delayed job or
-- lease expiry after $2.
SELECT least(
  (SELECT min(run_at) FROM :schema.jobs WHERE state = 'pending' AND run_at > $2::bigint AND name = ANY($1)),
  (SELECT min(lease_expires_at) FROM :schema.jobs WHERE state = 'active' AND name = ANY($1))
) AS next_run_at
