-- Jobs per name and state, as counts.sql counts them: delayed counts pending jobs due after $1. One row per
-- name and state. Finished jobs, usually most of the table, are counted from jobs_finished_names alone (an
-- index-only scan); pending and active ones from the table.
SELECT name, state, count(*) AS jobs, count(*) FILTER (WHERE state = 'pending' AND run_at > $1::bigint) AS delayed
FROM :schema.jobs WHERE state IN ('pending', 'active') GROUP BY name, state
UNION ALL
SELECT name, state, count(*), 0 FROM :schema.jobs WHERE state IN ('completed', 'failed', 'cancelled') GROUP BY name, state
