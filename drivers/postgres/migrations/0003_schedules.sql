-- The last slot pushed per schedule key. A slot at or before it is never pushed again, so once-per-slot holds
-- whatever happened to the slot's job since (completed and removed, say).
CREATE TABLE :schema.schedules (
  key text PRIMARY KEY,
  last_slot bigint NOT NULL,
  pushed_at bigint NOT NULL
);
