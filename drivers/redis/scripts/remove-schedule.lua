--[[
  Removes a schedule: it is no longer listed and push-slot.lua refuses its slots until it is registered
  again. Its last slot is kept, so a slot still never runs twice; its definition is dropped.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  the schedule key

  Returns 1 when a schedule that was not removed had the key (a definition or a last slot), 0 otherwise.
]]
--! const KEY_SCHEDULES, KEY_SCHEDULE_INFO
local info = KEYS[1] .. KEY_SCHEDULE_INFO
local schedule = ARGV[1]
if redis.call("HEXISTS", info, "removed:" .. schedule) == 1 then return 0 end
if redis.call("HEXISTS", KEYS[1] .. KEY_SCHEDULES, schedule) == 0 and
  redis.call("HEXISTS", info, "def:" .. schedule) == 0 then
  return 0
end
redis.call("HSET", info, "removed:" .. schedule, 1)
redis.call("HDEL", info, "def:" .. schedule)
return 1
