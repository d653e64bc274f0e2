--[[
  Counts jobs per state.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  now (epoch ms)

  Returns: pending (ready and delayed), delayed (due after now), active, completed, failed, cancelled.
]]
--! const KEY_DELAYED, KEY_NAMES, KEY_READY, KEY_ACTIVE
local base = KEYS[1]
local now = tonumber(ARGV[1])
local pending = redis.call("ZCARD", base .. KEY_DELAYED)
for _, name in ipairs(redis.call("SMEMBERS", base .. KEY_NAMES)) do
  pending = pending + redis.call("ZCARD", base .. KEY_READY .. name)
end
return {
  pending,
  redis.call("ZCOUNT", base .. KEY_DELAYED, "(" .. now, "+inf"),
  redis.call("ZCARD", base .. KEY_ACTIVE),
  redis.call("ZCARD", base .. "completed"),
  redis.call("ZCARD", base .. "failed"),
  redis.call("ZCARD", base .. "cancelled")
}
