-- Extends the leases owner $2 holds among ids $1 until $3; returns the ids it still holds.
UPDATE :schema.jobs SET lease_expires_at = $3::bigint
WHERE id = ANY($1) AND state = 'active' AND lease_owner = $2
RETURNING id
