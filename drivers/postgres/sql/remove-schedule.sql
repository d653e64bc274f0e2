-- Removes schedule $1, keeping its row and last slot so no slot runs twice once it is registered again;
-- returns a row when a schedule not removed yet had the key.
UPDATE :schema.schedules SET removed = true WHERE key = $1 AND NOT removed RETURNING key
