--[[
  Cancels a pending or active job. An active job's lease is revoked with it, so its worker's next renew
  reports the job lost.

  KEYS[1]  the queue's key prefix, e.g. "{myapp}:"
  ARGV[1]  job id
  ARGV[2]  now (epoch ms)

  Returns "cancelled", "finished" (already completed, failed or cancelled) or "not-found".
]]
--! include jobs
--! include changes
local result = cancelJob(KEYS[1], ARGV[1], tonumber(ARGV[2]))
flushCounts(KEYS[1])
return result
