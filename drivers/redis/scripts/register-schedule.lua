--[[
  Stores a schedule's definition, replacing an earlier one under its key, and ends its removal. The last slot
  pushed (the schedules hash) is kept.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  the schedule key: any text, kept in hash fields (never part of a key name)
  ARGV[2]  the definition as JSON: { cron, timeZone?, name, registeredAt }

  The schedule-info hash holds, per schedule key, "def:<key>" (the definition), "pushed:<key>" (when its last
  slot was pushed) and "removed:<key>" (present while it is removed). Returns 1.
]]
--! const KEY_SCHEDULE_INFO
local info = KEYS[1] .. KEY_SCHEDULE_INFO
redis.call("HSET", info, "def:" .. ARGV[1], ARGV[2])
redis.call("HDEL", info, "removed:" .. ARGV[1])
return 1
