-- Pushes the job of one schedule slot unless the schedule took this slot or a later one, or was removed (until
-- it is registered again), and records the slot as the schedule's last, in one statement. The upsert locks
-- the schedule's row: of two instances pushing the same slot, the second waits for the first and then finds
-- the slot taken. Returns one row: `taken` (false: nothing was written). A job already present under the
-- slot's id is kept. Notifies $10 when one is inserted.
-- $1 schedule key $2 slot $3 job id $4 name $5 payload $6 priority $7 run_at $8 max_attempts $9 now
-- $10 wake-up channel
WITH taken AS (
  INSERT INTO :schema.schedules AS s (key, last_slot, pushed_at) VALUES ($1::text, $2::bigint, $9::bigint)
  ON CONFLICT (key) DO UPDATE SET last_slot = excluded.last_slot, pushed_at = excluded.pushed_at
    WHERE NOT s.removed AND (s.last_slot IS NULL OR s.last_slot < excluded.last_slot)
  RETURNING key
),
inserted AS (
  INSERT INTO :schema.jobs (id, seq, name, payload, state, priority, run_at, max_attempts, created_at)
  SELECT $3::text, nextval(':schema.job_seq'), $4::text, $5::text, 'pending', $6::int, $7::bigint, $8::int, $9::bigint
  FROM taken
  ON CONFLICT DO NOTHING
  RETURNING name
)
SELECT EXISTS (SELECT FROM taken) AS taken, (SELECT count(pg_notify($10, name)) FROM inserted) AS notified
