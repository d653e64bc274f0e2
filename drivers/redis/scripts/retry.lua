--[[
  Moves a failed or cancelled job back to pending, due now, with its attempts reset.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  job id
  ARGV[2]  now (epoch ms)

  Returns 1 when the job moved, 0 otherwise. The unique key comes back only if no live job holds it.
]]
--! include jobs
--! include changes
local base = KEYS[1]
local name = retryJob(base, ARGV[1], tonumber(ARGV[2]))
flushCounts(base)
if not name then return 0 end
redis.call("PUBLISH", base .. CHANNEL_WAKEUP, name)
return 1
