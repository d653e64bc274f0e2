-- Every schedule not removed: registered, or only pushed under.
SELECT * FROM :schema.schedules WHERE NOT removed
