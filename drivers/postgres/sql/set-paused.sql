-- Pauses ($1 true) or resumes ($1 false) the queue; resuming wakes every worker on channel $2.
WITH changed AS (UPDATE :schema.queue_state SET paused = $1::boolean RETURNING paused)
SELECT CASE WHEN NOT paused THEN pg_notify($2, '*') END FROM changed
