-- Deletes the record of instance $1 (it stopped).
DELETE FROM :schema.instances WHERE id = $1
