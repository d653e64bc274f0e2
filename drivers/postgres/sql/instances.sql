-- The instances whose heartbeat has not lapsed at $1; the lapsed ones (stopped without saying so) are
-- deleted on the way.
WITH lapsed AS (DELETE FROM :schema.instances WHERE expires_at <= $1::bigint)
SELECT * FROM :schema.instances WHERE expires_at > $1::bigint
