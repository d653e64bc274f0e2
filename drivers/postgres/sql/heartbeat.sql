-- Records the heartbeat of instance $1, replacing its previous one.
-- $1 id $2 host $3 pid $4 job names $5 concurrency $6 running job ids $7 started_at $8 last_seen_at
-- $9 expires_at
INSERT INTO :schema.instances AS i (id, host, pid, names, concurrency, running, started_at, last_seen_at, expires_at)
VALUES ($1::text, $2::text, $3::int, $4::text[], $5::int, $6::text[], $7::bigint, $8::bigint, $9::bigint)
ON CONFLICT (id) DO UPDATE SET
  host = excluded.host, pid = excluded.pid, names = excluded.names, concurrency = excluded.concurrency,
  running = excluded.running, started_at = excluded.started_at, last_seen_at = excluded.last_seen_at,
  expires_at = excluded.expires_at
