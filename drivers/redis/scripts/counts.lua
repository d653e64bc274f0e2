--[[
  Counts jobs per state.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  now (epoch ms)

  Returns: pending (ready and delayed), delayed (due after now), active, completed, failed, cancelled.
]]
local base = KEYS[1]
local now = tonumber(ARGV[1])
local pending = redis.call("ZCARD", base .. "delayed")
for _, name in ipairs(redis.call("SMEMBERS", base .. "names")) do
  pending = pending + redis.call("ZCARD", base .. "ready:" .. name)
end
return {
  pending,
  redis.call("ZCOUNT", base .. "delayed", "(" .. now, "+inf"),
  redis.call("ZCARD", base .. "active"),
  redis.call("ZCARD", base .. "completed"),
  redis.call("ZCARD", base .. "failed"),
  redis.call("ZCARD", base .. "cancelled")
}
