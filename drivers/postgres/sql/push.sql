-- Inserts a batch of jobs; a chosen id that exists, or a unique key held by a live job, inserts nothing and
-- returns the existing id. Notifies the wake-up channel once per job name inserted.
-- $1 ids (null: generated) $2 names $3 payloads $4 priorities $5 run_at $6 max_attempts $7 unique keys
-- $8 now $9 wake-up channel
WITH input AS (
  SELECT *, nextval(':schema.job_seq') AS seq
  FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::bigint[], $6::int[], $7::text[])
    WITH ORDINALITY AS i (id, name, payload, priority, run_at, max_attempts, unique_key, ord)
),
inserted AS (
  INSERT INTO :schema.jobs (id, seq, name, payload, state, priority, run_at, max_attempts, unique_key, created_at)
  SELECT coalesce(id, seq::text), seq, name, payload, 'pending', priority, run_at, max_attempts, unique_key, $8::bigint
  FROM input ORDER BY ord
  ON CONFLICT DO NOTHING
  RETURNING id, seq, unique_key, name
),
notified AS (
  SELECT count(pg_notify($9, name)) AS sent FROM (SELECT DISTINCT name FROM inserted) AS names
)
SELECT coalesce(mine.id, sibling.id, same_id.id, same_key.id) AS id, mine.id IS NOT NULL AS inserted
FROM input
CROSS JOIN notified
LEFT JOIN inserted AS mine ON mine.seq = input.seq
LEFT JOIN LATERAL (
  SELECT id FROM inserted WHERE mine.id IS NULL AND inserted.unique_key = input.unique_key ORDER BY seq LIMIT 1
) AS sibling ON true
LEFT JOIN :schema.jobs AS same_id ON mine.id IS NULL AND same_id.id = input.id
LEFT JOIN :schema.jobs AS same_key
  ON mine.id IS NULL AND same_key.unique_key = input.unique_key AND same_key.state IN ('pending', 'active')
ORDER BY input.ord
