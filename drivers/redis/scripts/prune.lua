--[[
  Removes finished jobs, oldest first, in a bounded batch.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  state: completed, failed or cancelled
  ARGV[2]  remove jobs that finished strictly before this time (epoch ms)
  ARGV[3]  the most jobs to remove

  Returns how many jobs were removed.
]]
local base = KEYS[1]
local set = base .. ARGV[1]
local ids = redis.call("ZRANGEBYSCORE", set, "-inf", "(" .. ARGV[2], "LIMIT", 0, tonumber(ARGV[3]))
for _, id in ipairs(ids) do
  redis.call("DEL", base .. "job:" .. id)
  redis.call("ZREM", set, id)
end
return #ids
