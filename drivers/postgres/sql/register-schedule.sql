-- Stores the definition of schedule $1 (cron $2, time zone $3 or null for UTC, job name $4, registered at
-- $5) and ends a removal; the last slot pushed under the key is kept.
INSERT INTO :schema.schedules AS s (key, cron, time_zone, name, registered_at)
VALUES ($1::text, $2::text, $3::text, $4::text, $5::bigint)
ON CONFLICT (key) DO UPDATE SET
  cron = excluded.cron, time_zone = excluded.time_zone, name = excluded.name, registered_at = excluded.registered_at,
  removed = false
