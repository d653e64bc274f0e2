--[[
  Stores progress on an active job.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  job id
  ARGV[2]  lease owner
  ARGV[3]  progress

  Returns 1, or 0 when the owner no longer holds the lease.
]]
--! include jobs
local base = KEYS[1]
if not holds(base, ARGV[1], ARGV[2]) then return 0 end
redis.call("HSET", jobKey(base, ARGV[1]), "progress", ARGV[3])
return 1
