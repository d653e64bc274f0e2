-- The jobs table and the indexes behind the hot queries. Times are epoch milliseconds chosen by the caller.
CREATE SEQUENCE :schema.job_seq;

CREATE TABLE :schema.jobs (
  id text PRIMARY KEY,
  seq bigint NOT NULL,
  name text NOT NULL,
  payload text NOT NULL,
  state text NOT NULL CHECK (state IN ('pending', 'active', 'completed', 'failed', 'cancelled')),
  priority integer NOT NULL,
  run_at bigint NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  max_attempts integer,
  unique_key text,
  created_at bigint NOT NULL,
  started_at bigint,
  finished_at bigint,
  last_error text,
  progress double precision,
  lease_owner text,
  lease_expires_at bigint
);

-- claim: the best ready jobs, in the order they are handed out.
CREATE INDEX jobs_ready ON :schema.jobs (priority DESC, run_at, seq) WHERE state = 'pending';
-- claim recovers expired leases; nextRunAt looks at the earliest lease expiry.
CREATE INDEX jobs_leased ON :schema.jobs (lease_expires_at) WHERE state = 'active';
-- at most one live job per unique key.
CREATE UNIQUE INDEX jobs_unique_key ON :schema.jobs (unique_key) WHERE state IN ('pending', 'active');
-- prune and counts of finished jobs.
CREATE INDEX jobs_finished ON :schema.jobs (state, finished_at) WHERE state IN ('completed', 'failed', 'cancelled');

CREATE TABLE :schema.queue_state (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  paused boolean NOT NULL DEFAULT false
);
INSERT INTO :schema.queue_state DEFAULT VALUES;
