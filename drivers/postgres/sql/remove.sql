-- Deletes the jobs among ids $1 that are not active; returns the id and state of every job found, removed
-- or kept. Rows are locked in id order, so two removals of overlapping ids wait for each other instead of
-- deadlocking.
WITH found AS (SELECT id, state FROM :schema.jobs WHERE id = ANY($1) ORDER BY id FOR UPDATE),
removed AS (
  DELETE FROM :schema.jobs AS j USING found WHERE j.id = found.id AND found.state <> 'active'
)
SELECT id, state FROM found
