--[[
  Reads every schedule record in one step.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"

  Returns two flat arrays of field, value pairs: the schedules hash (schedule key -> last slot) and the
  schedule-info hash ("def:<key>", "pushed:<key>", "removed:<key>"; see register-schedule.lua).
]]
--! const KEY_SCHEDULES, KEY_SCHEDULE_INFO
return { redis.call("HGETALL", KEYS[1] .. KEY_SCHEDULES), redis.call("HGETALL", KEYS[1] .. KEY_SCHEDULE_INFO) }
