-- Cancels job $1 if pending or active (revoking its lease); returns its state before, or no row if missing.
WITH before AS (SELECT id, state FROM :schema.jobs WHERE id = $1 FOR UPDATE),
cancelled AS (
  UPDATE :schema.jobs AS j SET state = 'cancelled', finished_at = $2::bigint, lease_owner = NULL, lease_expires_at = NULL
  FROM before WHERE j.id = before.id AND before.state IN ('pending', 'active')
  RETURNING j.id
)
SELECT state FROM before
