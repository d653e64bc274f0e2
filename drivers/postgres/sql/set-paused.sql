-- Pauses ($1 true) or resumes ($1 false) the queue; resuming wakes every worker: notifies channel $2 with $3,
-- the wake-up that means any job name.
WITH changed AS (UPDATE :schema.queue_state SET paused = $1::boolean RETURNING paused)
SELECT CASE WHEN NOT paused THEN pg_notify($2, $3::text) END FROM changed
