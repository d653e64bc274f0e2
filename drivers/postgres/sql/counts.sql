-- Jobs per state; delayed counts pending jobs due after $1. One row per state that has jobs. Finished jobs,
-- usually most of the table, are counted from jobs_finished_names alone (an index-only scan); pending and
-- active ones from the table.
SELECT state, count(*) AS jobs, count(*) FILTER (WHERE state = 'pending' AND run_at > $1::bigint) AS delayed
FROM :schema.jobs WHERE state IN ('pending', 'active') GROUP BY state
UNION ALL
SELECT state, count(*), 0 FROM :schema.jobs WHERE state IN ('completed', 'failed', 'cancelled') GROUP BY state
