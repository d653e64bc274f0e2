-- The operating side: jobs listed by state time, schedule definitions and their removal, and the instances
-- running the queue. Listings page by (state time, seq), so each state's index carries seq after its time.

-- Pending jobs by run time (list, cancelAll); nextRunAt walks the same index and stops at the first match.
DROP INDEX :schema.jobs_due;
CREATE INDEX jobs_due ON :schema.jobs (run_at, seq) WHERE state = 'pending';

-- Finished jobs of one state by finish time (list, retryAll, prune). Active jobs get no index of their own:
-- there are at most as many as workers run at once, so listing them reads jobs_leased and sorts, and
-- claims and renewals keep one index less to update.
DROP INDEX :schema.jobs_finished;
CREATE INDEX jobs_finished ON :schema.jobs (state, finished_at, seq) WHERE state IN ('completed', 'failed', 'cancelled');

-- countsByName counts the finished jobs, usually most of the table, from this index alone: equal keys are
-- stored once, so it is a small fraction of the table (1.4 MB for 200,000 jobs of 20 names) and is written
-- only when a job finishes.
CREATE INDEX jobs_finished_names ON :schema.jobs (state, name) WHERE state IN ('completed', 'failed', 'cancelled');

-- A schedule's definition as an instance last registered it, and whether it was removed: a removed
-- schedule keeps its row (and so its last slot) but takes no slot until it is registered again. A schedule
-- registered before any slot was pushed has no last slot yet.
ALTER TABLE :schema.schedules
  ALTER COLUMN last_slot DROP NOT NULL,
  ALTER COLUMN pushed_at DROP NOT NULL,
  ADD COLUMN cron text,
  ADD COLUMN time_zone text,
  ADD COLUMN name text,
  ADD COLUMN registered_at bigint,
  ADD COLUMN removed boolean NOT NULL DEFAULT false;

-- The latest heartbeat of each running instance; a record whose expires_at passed is a stopped instance.
CREATE TABLE :schema.instances (
  id text PRIMARY KEY,
  host text NOT NULL,
  pid integer NOT NULL,
  names text[] NOT NULL,
  concurrency integer NOT NULL,
  running text[] NOT NULL,
  started_at bigint NOT NULL,
  last_seen_at bigint NOT NULL,
  expires_at bigint NOT NULL
);
