-- For jobs push.sql did not insert: the id of the job holding each one's chosen id or live unique key (no
-- row when neither is held any more). $1 input positions $2 chosen ids $3 unique keys
SELECT o.ord, coalesce(
  (SELECT id FROM :schema.jobs WHERE id = o.id),
  (SELECT id FROM :schema.jobs WHERE unique_key = o.unique_key AND state IN ('pending', 'active') LIMIT 1)
) AS id
FROM unnest($1::int[], $2::text[], $3::text[]) AS o (ord, id, unique_key)
