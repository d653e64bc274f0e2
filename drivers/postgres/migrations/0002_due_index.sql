-- nextRunAt: the earliest pending run time after now, found by walking run times in order instead of
-- scanning every delayed job (a short claim next to 200,000 delayed jobs took ~20 ms without it).
CREATE INDEX jobs_due ON :schema.jobs (run_at) WHERE state = 'pending';
