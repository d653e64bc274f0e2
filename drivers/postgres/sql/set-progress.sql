-- Stores progress $3 on job $1 while owner $2 holds its lease.
UPDATE :schema.jobs SET progress = $3 WHERE id = $1 AND state = 'active' AND lease_owner = $2 RETURNING id
