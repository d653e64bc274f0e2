--[[
  Removes finished jobs, oldest first, in a bounded batch.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  state: completed, failed or cancelled
  ARGV[2]  "before": remove jobs that finished strictly before ARGV[3] (epoch ms)
           "beyond": remove every job but the ARGV[3] that finished last
  ARGV[4]  the most jobs to remove

  Returns how many jobs were removed.
]]
--! include jobs
local base = KEYS[1]
local set = base .. ARGV[1]
local limit = tonumber(ARGV[4])
local ids
if ARGV[2] == "beyond" then
  local excess = redis.call("ZCARD", set) - tonumber(ARGV[3])
  if excess <= 0 then return 0 end
  ids = redis.call("ZRANGE", set, 0, math.min(excess, limit) - 1)
else
  ids = redis.call("ZRANGEBYSCORE", set, "-inf", "(" .. ARGV[3], "LIMIT", 0, limit)
end
for _, id in ipairs(ids) do
  local fields = readFields(jobKey(base, id), "state", "name")
  if fields and fields[1] then count(fields[1], fields[2], -1) end
  redis.call("DEL", jobKey(base, id))
  redis.call("ZREM", set, id)
end
flushCounts(base)
return #ids
