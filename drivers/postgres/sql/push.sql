-- Inserts a batch of jobs and returns the input position (1-based) and id of each job it inserted. A job
-- whose chosen id exists, or whose unique key a live job (or an earlier job of the batch) holds, is not
-- inserted: existing.sql then finds the job holding it. Notifies channel $9 once per job name inserted.
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
  RETURNING id, seq, name
),
notified AS (
  SELECT count(pg_notify($9, name)) AS sent FROM (SELECT DISTINCT name FROM inserted) AS names
)
SELECT input.ord, inserted.id FROM inserted JOIN input ON input.seq = inserted.seq CROSS JOIN notified
