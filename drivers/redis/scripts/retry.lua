--[[
  Moves a failed or cancelled job back to pending, due now, with its attempts reset.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  job id
  ARGV[2]  now (epoch ms)

  Returns 1 when the job moved, 0 otherwise. The unique key comes back only if no live job holds it.
]]
--! include jobs
local base = KEYS[1]
local id = ARGV[1]
local now = tonumber(ARGV[2])
local key = jobKey(base, id)
local fields = readFields(key, "state", "uniqueKey")
local state, uniqueKey = fields and fields[1], fields and fields[2]
if state ~= "failed" and state ~= "cancelled" then return 0 end
redis.call("ZREM", base .. state, id)
redis.call("HSET", key, "state", "pending", "attempts", 0, "runAt", now)
redis.call("HDEL", key, "finishedAt")
if uniqueKey then redis.call("HSETNX", base .. KEY_UNIQUE, uniqueKey, id) end
local name = enqueue(base, id, now)
if not name then return 0 end
redis.call("PUBLISH", base .. CHANNEL_WAKEUP, name)
return 1
