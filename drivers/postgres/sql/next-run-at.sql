-- When more work may become claimable for the names in $1 without a wake-up: the earliest delayed job or
-- lease expiry after $2. Each walks its index in time order and stops at the first match.
SELECT least(
  (SELECT run_at FROM :schema.jobs WHERE state = 'pending' AND run_at > $2::bigint AND name = ANY($1)
   ORDER BY run_at LIMIT 1),
  (SELECT lease_expires_at FROM :schema.jobs WHERE state = 'active' AND lease_expires_at > $2::bigint AND name = ANY($1)
   ORDER BY lease_expires_at LIMIT 1)
) AS next_run_at
